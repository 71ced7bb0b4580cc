/**
 * The words realistic clusters are made of: teams, environments, app names per tier, and the
 * container ports each kind of workload exposes. Port names are IANA service names (≤ 15
 * characters), as named ports in policies must be.
 */
import type * as api from "../load/api.js";

export type Tier = "frontend" | "backend" | "db" | "cache" | "worker";
export type Env = "prod" | "staging" | "dev";

export const TEAMS = [
  "payments", "checkout", "search", "identity", "catalog", "orders", "shipping", "analytics", "ml",
  "data", "growth", "ads", "messaging", "billing", "inventory", "media", "support", "risk",
  "notifications", "pricing", "loyalty", "fraud", "reviews", "partners",
] as const;
export const ENVS: readonly (readonly [Env, number])[] = [["prod", 4], ["staging", 3], ["dev", 3]];
export const REGIONS = ["", "-eu", "-us", "-ap"] as const;

export const TIERS: readonly (readonly [Tier, number])[] = [
  ["backend", 40], ["frontend", 14], ["worker", 22], ["db", 12], ["cache", 12],
];

export const APP_NAMES: Readonly<Record<Tier, readonly string[]>> = {
  frontend: ["web", "frontend", "ui", "storefront", "admin-ui", "dashboard", "portal", "landing"],
  backend: [
    "api", "gateway", "auth", "users", "orders", "cart", "payments", "search", "pricing", "catalog",
    "inventory", "ledger", "profile", "session", "checkout", "graphql", "notifications", "quotes",
  ],
  worker: ["worker", "scheduler", "mailer", "indexer", "exporter", "importer", "sync", "thumbnailer", "reporter", "consumer"],
  db: ["postgres", "mysql", "mongodb"],
  cache: ["redis", "memcached"],
};

/** k8s' SafeEncodeString alphabet: pod-template-hash values and pod name suffixes use it. */
export const HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export const NAMESPACE_EXTRA_LABELS: readonly (readonly [string, readonly string[], number])[] = [
  ["istio-injection", ["enabled"], 0.3],
  ["pod-security.kubernetes.io/enforce", ["restricted", "baseline", "privileged"], 0.4],
  ["cost-center", ["cc-1042", "cc-2210", "cc-3307", "cc-4415"], 0.2],
  ["compliance", ["pci", "sox", "hipaa"], 0.1],
  ["region", ["eu-west-1", "us-east-1", "ap-south-1"], 0.25],
];

export const POD_EXTRA_LABELS: readonly (readonly [string, string])[] = [
  ["canary", "true"], ["debug", "true"], ["sidecar.istio.io/inject", "false"], ["rollout", "blue"], ["rollout", "green"],
];

export type PortSpec = readonly [name: string, port: number, protocol: "TCP" | "UDP" | "SCTP"];


/** Database engines and their (port, metrics exporter port). */
export const DB_PORTS: Readonly<Record<string, readonly PortSpec[]>> = {
  postgres: [["postgres", 5432, "TCP"], ["metrics", 9187, "TCP"]],
  mysql: [["mysql", 3306, "TCP"], ["metrics", 9104, "TCP"]],
  mongodb: [["mongodb", 27017, "TCP"], ["metrics", 9216, "TCP"]],
  redis: [["redis", 6379, "TCP"], ["redis-bus", 16379, "TCP"]],
  memcached: [["memcache", 11211, "TCP"], ["memcache-udp", 11211, "UDP"]],
};

/** Extra ports a backend sometimes has: UDP and SCTP services are rarer, as in real clusters. */
export const RARE_PORTS: readonly (readonly [PortSpec, number])[] = [
  [["sctp-sig", 38412, "SCTP"], 2], [["diameter", 3868, "SCTP"], 2], [["quic", 443, "UDP"], 2],
  [["syslog", 514, "UDP"], 1], [["statsd", 8125, "UDP"], 2], [["sip", 5060, "UDP"], 1],
];

/** Manifests often leave `protocol: TCP` out (it defaults); objects read back from a server have it. */
export function containerPorts(specs: readonly PortSpec[], explicitTCP: boolean): api.ContainerPort[] {
  return specs.map(([name, containerPort, protocol]) =>
    protocol === "TCP" && !explicitTCP ? { name, containerPort } : { name, containerPort, protocol });
}

export const DNS_PORTS: readonly PortSpec[] = [["dns", 53, "UDP"], ["dns-tcp", 53, "TCP"], ["metrics", 9153, "TCP"]];
export const ISTIO_PORTS: readonly PortSpec[] = [["http-envoy-prom", 15090, "TCP"]];
