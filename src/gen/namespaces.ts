/**
 * Namespaces as platform teams lay them out: a few infrastructure namespaces (kube-system for
 * DNS, monitoring, an ingress controller) and one namespace per team, environment and
 * sometimes region (`payments-prod`, `search-staging-eu`), labelled with team and env and,
 * for some, the labels admission and mesh tooling adds.
 */
import type * as api from "../load/api.js";
import type { Random } from "./random.js";
import { ENVS, type Env, NAMESPACE_EXTRA_LABELS, REGIONS, TEAMS } from "./vocabulary.js";

export interface NamespaceInfo {
  readonly name: string;
  readonly team: string;
  /** Infrastructure namespaces carry no env label, so DoesNotExist selectors have work to do. */
  readonly env: Env | undefined;
  readonly infra: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Pods get an istio-proxy sidecar (and its port). */
  readonly istio: boolean;
}

export const KUBE_SYSTEM = "kube-system";
export const MONITORING = "monitoring";
export const INGRESS = "ingress-nginx";
const INFRA = [KUBE_SYSTEM, MONITORING, INGRESS] as const;

function infraCount(n: number): number {
  return n >= 12 ? 3 : n >= 6 ? 2 : n >= 3 ? 1 : 0;
}

function infraNamespace(name: string): NamespaceInfo {
  const labels: Record<string, string> = { team: "platform" };
  if (name === INGRESS) labels["app.kubernetes.io/name"] = "ingress-nginx";
  if (name === KUBE_SYSTEM) labels["pod-security.kubernetes.io/enforce"] = "privileged";
  return { name, team: "platform", env: undefined, infra: true, labels, istio: false };
}

function teamNamespace(rng: Random, taken: Set<string>): NamespaceInfo {
  let team: string = rng.pick(TEAMS);
  let env = rng.weighted(ENVS);
  let name = `${team}-${env}`;
  for (let attempt = 0; taken.has(name); attempt++) {
    team = rng.pick(TEAMS);
    env = rng.weighted(ENVS);
    name = attempt < 40 ? `${team}-${env}${rng.pick(REGIONS)}` : `${team}-${env}-${taken.size}`;
  }
  const labels: Record<string, string> = { team, env };
  for (const [key, values, p] of NAMESPACE_EXTRA_LABELS) if (rng.chance(p)) labels[key] = rng.pick(values);
  return { name, team, env, infra: false, labels, istio: labels["istio-injection"] === "enabled" };
}

export function generateNamespaces(rng: Random, n: number): NamespaceInfo[] {
  const out = INFRA.slice(0, infraCount(n)).map(infraNamespace);
  const taken = new Set(out.map((ns) => ns.name));
  while (out.length < n) {
    const ns = teamNamespace(rng, taken);
    taken.add(ns.name);
    out.push(ns);
  }
  return out;
}

export function namespaceObject(ns: NamespaceInfo): api.Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: ns.name, labels: { ...ns.labels } } };
}
