/**
 * Workloads: the unit real policies are written against. Each app is a Deployment,
 * StatefulSet (databases, caches) or DaemonSet (node agents, on the host network) whose pods
 * share the app's labels and container ports. Infrastructure comes first (DNS, monitoring,
 * ingress), then team apps of a skewed size until the pod budget is spent.
 */
import type * as api from "../load/api.js";
import { INGRESS, KUBE_SYSTEM, MONITORING, type NamespaceInfo } from "./namespaces.js";
import type { Random } from "./random.js";
import {
  APP_NAMES, DB_PORTS, DNS_PORTS, type PortSpec, RARE_PORTS, TIERS, type Tier, containerPorts,
} from "./vocabulary.js";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet";

export interface App {
  readonly namespace: string;
  readonly name: string;
  /** Infrastructure apps have no tier label. */
  readonly tier: Tier | undefined;
  /** The labels every pod of the app carries, and the ones policies select it by. */
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly api.ContainerPort[];
  readonly replicas: number;
  readonly kind: WorkloadKind;
  readonly hostNetwork: boolean;
}

/** Share of pods on the host network (node agents): small, as in real clusters. */
const HOST_NETWORK_SHARE = 0.015;

const REPLICAS: readonly (readonly [readonly [number, number], number])[] = [
  [[1, 1], 15], [[2, 2], 25], [[3, 3], 25], [[4, 6], 20], [[7, 15], 10], [[16, 60], 5],
];

interface InfraSpec {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly ports: readonly PortSpec[];
  readonly replicas: number;
  readonly kind: WorkloadKind;
}

function infraSpecs(present: ReadonlySet<string>, pods: number, fallback: string): InfraSpec[] {
  const host = pods >= 20 ? Math.max(1, Math.round(pods * HOST_NETWORK_SHARE)) : 0;
  const monitoring = present.has(MONITORING);
  const proxyHost = monitoring ? Math.ceil(host / 2) : host;
  const specs: InfraSpec[] = [
    { namespace: KUBE_SYSTEM, name: "coredns", labels: { "k8s-app": "kube-dns" }, ports: DNS_PORTS, replicas: 2, kind: "Deployment" },
    {
      namespace: present.has(KUBE_SYSTEM) ? KUBE_SYSTEM : fallback, name: "kube-proxy",
      labels: { "k8s-app": "kube-proxy" }, ports: [], replicas: proxyHost, kind: "DaemonSet",
    },
    {
      namespace: MONITORING, name: "prometheus", labels: { app: "prometheus", "app.kubernetes.io/name": "prometheus" },
      ports: [["web", 9090, "TCP"]], replicas: 2, kind: "StatefulSet",
    },
    { namespace: MONITORING, name: "grafana", labels: { app: "grafana" }, ports: [["http", 3000, "TCP"]], replicas: 1, kind: "Deployment" },
    {
      namespace: MONITORING, name: "node-exporter", labels: { app: "node-exporter" },
      ports: [["metrics", 9100, "TCP"]], replicas: host - proxyHost, kind: "DaemonSet",
    },
    {
      namespace: INGRESS, name: "ingress-nginx-controller",
      labels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
      ports: [["http", 80, "TCP"], ["https", 443, "TCP"], ["metrics", 10254, "TCP"]], replicas: 2, kind: "Deployment",
    },
  ];
  return specs.filter((s) => present.has(s.namespace) && s.replicas > 0);
}

function uniqueName(base: string, namespace: string, rng: Random, taken: Set<string>): string {
  let name = base;
  for (let k = 2; taken.has(`${namespace}/${name}`); k++) {
    name = k <= 3 ? `${rng.pick(APP_NAMES.backend)}-${base}` : `${base}-${k}`;
  }
  taken.add(`${namespace}/${name}`);
  return name;
}

function backendPorts(rng: Random): PortSpec[] {
  const ports: PortSpec[] = rng.chance(0.65)
    ? [["http", rng.pick([8080, 8000, 5000]), "TCP"]]
    : [["grpc", rng.pick([9000, 50051]), "TCP"]];
  if (ports[0]![0] === "grpc" && rng.chance(0.3)) ports.push(["http", 8080, "TCP"]);
  if (rng.chance(0.7)) ports.push(["metrics", rng.pick([9090, 8081]), "TCP"]);
  if (rng.chance(0.15)) ports.push(rng.weighted(RARE_PORTS));
  return ports;
}

function tierPorts(rng: Random, tier: Tier, engine: string): PortSpec[] {
  switch (tier) {
    case "frontend": {
      const ports: PortSpec[] = [["http", rng.pick([8080, 80, 3000]), "TCP"]];
      if (rng.chance(0.4)) ports.push(["https", 8443, "TCP"]);
      if (rng.chance(0.6)) ports.push(["metrics", 9090, "TCP"]);
      return ports;
    }
    case "backend":
      return backendPorts(rng);
    case "worker": {
      const ports: PortSpec[] = rng.chance(0.5) ? [["metrics", 9090, "TCP"]] : [];
      if (rng.chance(0.08)) ports.push(["statsd", 8125, "UDP"]);
      return ports;
    }
    default:
      return [...DB_PORTS[engine]!];
  }
}

function replicasFor(rng: Random, tier: Tier): number {
  if (tier === "db" || tier === "cache") return rng.weighted([[1, 40], [2, 20], [3, 40]]);
  const [lo, hi] = rng.weighted(REPLICAS);
  return rng.int(lo, hi);
}

function teamApp(rng: Random, ns: NamespaceInfo, taken: Set<string>, budget: number): App {
  const tier = rng.weighted(TIERS);
  const engine = rng.pick(APP_NAMES[tier]);
  const stateful = tier === "db" || tier === "cache";
  const base = stateful && rng.chance(0.5) ? `${rng.pick(APP_NAMES.backend)}-${engine}` : engine;
  const name = uniqueName(base, ns.name, rng, taken);
  const labels: Record<string, string> = { app: name, tier };
  if (rng.chance(0.4)) labels["app.kubernetes.io/part-of"] = ns.team;
  return {
    namespace: ns.name, name, tier, labels,
    ports: containerPorts(tierPorts(rng, tier, engine), rng.chance(0.5)),
    replicas: Math.min(budget, replicasFor(rng, tier)),
    kind: stateful ? "StatefulSet" : "Deployment",
    hostNetwork: false,
  };
}

/** Apps whose replicas add up to exactly `pods`. */
export function generateApps(rng: Random, namespaces: readonly NamespaceInfo[], pods: number): App[] {
  const present = new Set(namespaces.map((ns) => ns.name));
  const teams = namespaces.filter((ns) => !ns.infra);
  const taken = new Set<string>();
  const apps: App[] = [];
  let budget = pods;
  for (const s of infraSpecs(present, pods, (teams[0] ?? namespaces[0]!).name)) {
    if (budget === 0) break;
    const replicas = Math.min(budget, s.replicas);
    taken.add(`${s.namespace}/${s.name}`);
    apps.push({ ...s, tier: undefined, ports: containerPorts(s.ports, true), replicas, hostNetwork: s.kind === "DaemonSet" });
    budget -= replicas;
  }
  const homes: (readonly [NamespaceInfo, number])[] = (teams.length > 0 ? teams : namespaces).map((ns) => [
    ns, (0.3 + 2 * rng.float()) * (ns.env === "prod" ? 1.5 : 1),
  ]);
  while (budget > 0) {
    const app = teamApp(rng, rng.weighted(homes), taken, budget);
    apps.push(app);
    budget -= app.replicas;
  }
  return apps;
}
