/**
 * Pods of each app, named and labelled the way their controllers name and label them, with
 * addresses from a per-node plan: node k owns the pod range 10.(64+k/256).(k%256).0/24 (and
 * fd00:10:244:<k+1>::/64 for dual-stack pods) and the node address 172.16.x.y, which the
 * host-network pods on it share. Addresses are unique by construction, not by luck.
 */
import type * as api from "../load/api.js";
import type { App } from "./apps.js";
import type { NamespaceInfo } from "./namespaces.js";
import type { Random } from "./random.js";
import { HASH_ALPHABET, ISTIO_PORTS, POD_EXTRA_LABELS, containerPorts } from "./vocabulary.js";

/** The pod network every pod address is drawn from; flows use it to tell pods from the rest. */
export const POD_NETWORK_V4 = { base: 0x0a400000, prefix: 10, text: "10.64.0.0/10" } as const;
const PODS_PER_NODE = 60;
const NODE_CAPACITY = 250;
const PENDING_SHARE = 0.02;
const EXTRA_LABEL_SHARE = 0.03;

export class AddressPlan {
  readonly nodes: number;
  private readonly used: Uint16Array;

  constructor(private readonly rng: Random, pods: number, private readonly dualStack: number) {
    this.nodes = Math.max(1, Math.ceil(pods / PODS_PER_NODE));
    this.used = new Uint16Array(this.nodes);
  }

  nodeIP(node: number): string {
    const k = node + 1;
    return `172.${16 + (k >>> 16)}.${(k >>> 8) & 255}.${k & 255}`;
  }

  randomNode(): number {
    return this.rng.below(this.nodes);
  }

  /** Linear probing past full nodes; the node count leaves room for every pod. */
  allocate(): string[] {
    let node = this.randomNode();
    while (this.used[node]! >= NODE_CAPACITY) node = (node + 1) % this.nodes;
    const host = 2 + this.used[node]!++;
    const v4 = `10.${64 + (node >>> 8)}.${node & 255}.${host}`;
    if (!this.rng.chance(this.dualStack)) return [v4];
    // Canonical RFC 5952 text by construction: groups 4-6 are the only run of zeros.
    return [v4, `fd00:10:244:${(node + 1).toString(16)}::${host.toString(16)}`];
  }
}

function revisions(rng: Random, app: App): { hash: string; version: string; count: number }[] {
  const major = rng.int(1, 4);
  const minor = rng.int(1, 20);
  const current = { hash: rng.string(10, HASH_ALPHABET), version: `v${major}.${minor}.${rng.int(0, 9)}`, count: app.replicas };
  if (app.kind !== "Deployment" || app.replicas < 2 || !rng.chance(0.15)) return [current];
  // A rolling update caught half-way: some pods still run the previous ReplicaSet.
  const old = rng.int(1, app.replicas - 1);
  const previous = { hash: rng.string(10, HASH_ALPHABET), version: `v${major}.${minor - 1}.${rng.int(0, 9)}`, count: old };
  return [{ ...current, count: app.replicas - old }, previous];
}

function podName(rng: Random, app: App, hash: string, ordinal: number, taken: Set<string>): string {
  for (;;) {
    const name =
      app.kind === "StatefulSet" ? `${app.name}-${ordinal}`
      : app.kind === "DaemonSet" ? `${app.name}-${rng.string(5, HASH_ALPHABET)}`
      : `${app.name}-${hash}-${rng.string(5, HASH_ALPHABET)}`;
    const key = `${app.namespace}/${name}`;
    if (!taken.has(key)) {
      taken.add(key);
      return name;
    }
  }
}

function podLabels(rng: Random, app: App, ns: NamespaceInfo, name: string, hash: string, version: string): Record<string, string> {
  const labels: Record<string, string> = { ...app.labels };
  if (app.tier !== undefined) labels.version = version;
  if (app.kind === "Deployment") labels["pod-template-hash"] = hash;
  else labels["controller-revision-hash"] = app.kind === "StatefulSet" ? `${app.name}-${hash}` : hash;
  if (app.kind === "StatefulSet") labels["statefulset.kubernetes.io/pod-name"] = name;
  if (ns.istio) labels["security.istio.io/tlsMode"] = "istio";
  if (rng.chance(EXTRA_LABEL_SHARE)) {
    const [key, value] = rng.pick(POD_EXTRA_LABELS);
    labels[key] = value;
  }
  return labels;
}

function podStatus(rng: Random, app: App, plan: AddressPlan): api.Pod["status"] {
  if (rng.chance(PENDING_SHARE)) return { phase: "Pending" };
  const ips = app.hostNetwork ? [plan.nodeIP(plan.randomNode())] : plan.allocate();
  return { phase: "Running", podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) };
}

function podSpec(app: App, ns: NamespaceInfo): NonNullable<api.Pod["spec"]> {
  const containers: api.Container[] = [{ name: app.name.slice(0, 63), ports: app.ports.map((p) => ({ ...p })) }];
  if (ns.istio && !app.hostNetwork) containers.push({ name: "istio-proxy", ports: containerPorts(ISTIO_PORTS, true) });
  return app.hostNetwork ? { hostNetwork: true, containers } : { containers };
}

export function generatePods(rng: Random, apps: readonly App[], namespaces: readonly NamespaceInfo[], plan: AddressPlan): api.Pod[] {
  const byName = new Map(namespaces.map((ns) => [ns.name, ns]));
  const taken = new Set<string>();
  const pods: api.Pod[] = [];
  for (const app of apps) {
    const ns = byName.get(app.namespace)!;
    let ordinal = 0;
    for (const { hash, version, count } of revisions(rng, app)) {
      for (let i = 0; i < count; i++) {
        const name = podName(rng, app, hash, ordinal++, taken);
        pods.push({
          apiVersion: "v1", kind: "Pod",
          metadata: { name, namespace: app.namespace, labels: podLabels(rng, app, ns, name, hash, version) },
          spec: podSpec(app, ns),
          status: podStatus(rng, app, plan),
        });
      }
    }
  }
  return pods;
}
