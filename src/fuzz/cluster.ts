/**
 * `clusterObjects()`: random valid clusters as Kubernetes objects — Namespaces with labels,
 * Pods with labels, IPv4, IPv6 or dual-stack addresses (or none, or hostNetwork) and named
 * container ports, and NetworkPolicies from `networkPolicy()`. Pod addresses are unique by
 * construction (see vocabulary.ts), so every generated cluster loads.
 */
import fc from "fast-check";
import type * as api from "../load/api.js";
import { networkPolicy } from "./policy.js";
import { LABEL_KEYS, LABEL_VALUES, NAMESPACE_NAMES, PORT_NAMES, PORT_NUMBERS, PROTOCOLS, podIPv4, podIPv6 } from "./vocabulary.js";

export interface ClusterObjects {
  readonly namespaces: api.Namespace[];
  readonly pods: api.Pod[];
  readonly policies: api.NetworkPolicy[];
}

export interface ClusterConstraints {
  readonly maxPods?: number;
  readonly maxPolicies?: number;
  /** Upper bound on rules per direction in each policy (default 3). */
  readonly maxRules?: number;
}

const labels = fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 3 });

type Addressing = "v4" | "v6" | "dual" | "none" | "hostNetwork";
const addressing = fc.constantFrom<Addressing>("v4", "v4", "v4", "dual", "v6", "none", "hostNetwork");

const containerPorts = fc.uniqueArray(
  fc.record({ name: fc.constantFrom(...PORT_NAMES), containerPort: fc.constantFrom(...PORT_NUMBERS), protocol: fc.constantFrom("TCP", ...PROTOCOLS) }),
  { maxLength: 3, selector: (p) => p.name },
);

function pod(i: number, namespace: string, podLabels: Record<string, string>, how: Addressing, ports: api.ContainerPort[]): api.Pod {
  const ips = how === "v4" ? [podIPv4(i)] : how === "v6" ? [podIPv6(i)] : how === "dual" ? [podIPv4(i), podIPv6(i)] : [];
  const status: api.Pod["status"] = how === "hostNetwork" ? { podIP: "172.16.0.1" } : ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {};
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p${i}`, namespace, labels: podLabels },
    spec: { ...(how === "hostNetwork" ? { hostNetwork: true } : {}), containers: [{ name: "c", ports }] },
    status,
  };
}

export function clusterObjects(constraints: ClusterConstraints = {}): fc.Arbitrary<ClusterObjects> {
  const maxPods = constraints.maxPods ?? 8;
  const maxPolicies = constraints.maxPolicies ?? 4;
  if (!Number.isInteger(maxPods) || maxPods < 1) throw new Error("clusterObjects: constraints.maxPods must be a whole number ≥ 1");
  if (!Number.isInteger(maxPolicies) || maxPolicies < 0) throw new Error("clusterObjects: constraints.maxPolicies must be a whole number ≥ 0");
  const namespaces = fc.tuple(...NAMESPACE_NAMES.map(() => labels)).map((ls) =>
    NAMESPACE_NAMES.map((name, i): api.Namespace => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: ls[i] } })),
  );
  const pods = fc
    .array(fc.tuple(fc.constantFrom(...NAMESPACE_NAMES), labels, addressing, containerPorts), { minLength: 1, maxLength: maxPods })
    .map((specs) => specs.map(([ns, l, how, ports], i) => pod(i, ns, l, how, ports)));
  const policies = fc
    .integer({ min: 0, max: maxPolicies })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => networkPolicy(`np${i}`, { maxRules: constraints.maxRules }))));
  return fc.record({ namespaces, pods, policies });
}
