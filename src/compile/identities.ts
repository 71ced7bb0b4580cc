/**
 * Identities: pods that no policy can tell apart. Two pods share an identity iff they have
 * the same namespace (hence the same namespace labels), the same labels and the same named
 * container ports — named ports resolve on the destination pod, so they belong to the key.
 */
import type { Cluster, ContainerPort, Labels, Pod, Protocol } from "../model/types.js";

export interface Identity {
  readonly namespace: string;
  readonly namespaceLabels: Labels;
  readonly labels: Labels;
  /** Named container ports: `name/protocol` → container port numbers. */
  readonly namedPorts: ReadonlyMap<string, readonly number[]>;
  readonly pods: Pod[];
}

export function namedPortKey(name: string, protocol: Protocol): string {
  return `${name}/${protocol}`;
}

/** Named container ports as identities hold them: `name/protocol` → container port numbers. */
export function namedPortsOf(ports: readonly ContainerPort[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of ports) {
    if (p.name === undefined) continue;
    const key = namedPortKey(p.name, p.protocol);
    const list = out.get(key) ?? [];
    if (!list.includes(p.containerPort)) list.push(p.containerPort);
    out.set(key, list.sort((a, b) => a - b));
  }
  return out;
}

function sortedEntries<T>(m: Readonly<Record<string, T>> | ReadonlyMap<string, T>): [string, T][] {
  const entries = m instanceof Map ? [...m.entries()] : Object.entries(m);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Exact and cheap: label keys and values cannot hold NUL or SOH, so they separate fields. */
function identityKey(pod: Pod, namedPorts: Map<string, number[]>): string {
  let key = pod.namespace;
  for (const [k, v] of sortedEntries(pod.labels)) key += `\u0001${k}\u0000${v}`;
  key += "\u0002";
  for (const [k, v] of sortedEntries(namedPorts)) key += `\u0001${k}\u0000${v.join(",")}`;
  return key;
}

/** The key two pods share exactly when they share an identity. */
export function identityKeyOf(pod: Pod): string {
  return identityKey(pod, namedPortsOf(pod.ports));
}

export function identities(cluster: Cluster): { identities: Identity[]; ofPod: Map<Pod, number>; byKey: ReadonlyMap<string, number> } {
  const namespaceLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  const byKey = new Map<string, number>();
  const list: Identity[] = [];
  const ofPod = new Map<Pod, number>();
  for (const pod of cluster.pods) {
    const namedPorts = namedPortsOf(pod.ports);
    const key = identityKey(pod, namedPorts);
    let id = byKey.get(key);
    if (id === undefined) {
      id = list.length;
      byKey.set(key, id);
      list.push({ namespace: pod.namespace, namespaceLabels: namespaceLabels.get(pod.namespace)!, labels: pod.labels, namedPorts, pods: [] });
    }
    list[id]!.pods.push(pod);
    ofPod.set(pod, id);
  }
  return { identities: list, ofPod, byKey };
}
