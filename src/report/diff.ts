/**
 * What a policy change does: the same pods under two clusters (policy sets), every pod to every
 * pod and to and from every external address class, on every port either policy set mentions;
 * each connection whose verdict changes, with the reasons before and after. All through the
 * batch API of the two compiled engines.
 */
import { cidrClasses, type FamilySpace } from "../compile/cidr.js";
import type { Engine } from "../engine/engine.js";
import type { Cluster, IPAddress, NetworkPolicy, Pod } from "../model/types.js";
import { formatIP, toIPAddress } from "../validate/ip.js";
import { CELL_ALLOW, CELL_NONE, type Matrix, type MatrixEndpoint, type PortSpec, computeMatrix, mentionedPorts, specLabel } from "./matrix.js";

/** An address class outside the pods: every address in it matches exactly the same ipBlocks. */
export interface ExternalClass extends MatrixEndpoint {
  /** "203.0.113.0/24 except 203.0.113.128/25", or "outside every ipBlock (IPv4)". */
  readonly label: string;
  /** The address the class is decided at. */
  readonly address: IPAddress;
}

export interface Side {
  /** "namespace/name" of a pod, or an external class label. */
  readonly name: string;
  readonly address: string;
  readonly namespace: string | null;
}

export interface DirectionWhy {
  /** "n/a": the cell did not exist on that side (a named port, or an address family, one cluster lacks). */
  readonly verdict: "allow" | "deny" | "n/a";
  readonly egress: number;
  readonly ingress: number;
}

export interface Change {
  readonly src: Side;
  readonly dst: Side;
  /** "5432/TCP", or "5432/TCP (postgres)" when a named port resolved to it. */
  readonly port: string;
  readonly before: DirectionWhy;
  readonly after: DirectionWhy;
}

export interface DiffResult {
  readonly changes: readonly Change[];
  readonly pods: number;
  readonly externals: readonly ExternalClass[];
  readonly ports: readonly PortSpec[];
  readonly connections: number;
  readonly podsOnlyBefore: readonly string[];
  readonly podsOnlyAfter: readonly string[];
}

const podName = (p: Pod) => `${p.namespace}/${p.name}`;

/** One class per (family, ipBlock signature) of both policy sets, at an address no pod of either cluster owns. */
export function externalClasses(policies: readonly NetworkPolicy[], taken: ReadonlySet<string>, families: ReadonlySet<4 | 6>): ExternalClass[] {
  const classes = cidrClasses(policies);
  const out: ExternalClass[] = [];
  for (const [family, space] of [[4, classes.v4], [6, classes.v6]] as [4 | 6, FamilySpace][]) {
    if (!families.has(family)) continue;
    const seen = new Set<number>();
    space.cuts.forEach((start, k) => {
      const cls = space.classOf[k]!;
      if (seen.has(cls)) return;
      const end = k + 1 < space.cuts.length ? space.cuts[k + 1]! : 1n << BigInt(space.bits);
      const address = freeAddress(start === 0n && end > 1n ? 1n : start, end, family, taken);
      if (!address) return; // every address of the interval is a pod's: try the class's next interval
      seen.add(cls);
      const sig = classes.signatures[cls]!;
      const blocks = classes.blocks.filter((b, i) => b.cidr.family === family && (sig[i >>> 5]! >>> (i & 31)) & 1);
      const label = blocks.length === 0 ? `outside every ipBlock (IPv${family})` : blocks.map((b) => `${b.cidr.text}${b.except.length ? ` except ${b.except.map((e) => e.text).join(",")}` : ""}`).join(" and ");
      out.push({ label, address, ips: [address], ports: [] });
    });
  }
  return out;
}

function freeAddress(from: bigint, end: bigint, family: 4 | 6, taken: ReadonlySet<string>): IPAddress | undefined {
  for (let v = from, tries = 0; v < end && tries < 64; v++, tries++) {
    const bytes = new Uint8Array(family === 4 ? 4 : 16);
    for (let i = bytes.length - 1, x = v; i >= 0; i--, x >>= 8n) bytes[i] = Number(x & 0xffn);
    const ip = toIPAddress(formatIP(bytes));
    if (!taken.has(ip.text)) return ip;
  }
  return undefined;
}

export function diffClusters(before: Cluster, after: Cluster, engines: { before: Engine; after: Engine }, options: { ports?: readonly PortSpec[] } = {}): DiffResult {
  const key = (p: Pod) => podName(p);
  const afterPods = new Map(after.pods.filter((p) => p.ips.length > 0).map((p) => [key(p), p]));
  const beforePods = new Map(before.pods.filter((p) => p.ips.length > 0).map((p) => [key(p), p]));
  const common = [...beforePods.keys()].filter((k) => afterPods.has(k)).sort();
  const podsBefore = common.map((k) => beforePods.get(k)!);
  const podsAfter = common.map((k) => afterPods.get(k)!);
  const taken = new Set([...before.pods, ...after.pods].flatMap((p) => p.ips.map((ip) => ip.text)));
  const families = new Set(podsBefore.flatMap((p) => p.ips.map((ip) => ip.family)));
  const externals = externalClasses([...before.policies, ...after.policies], taken, families);
  const ports = options.ports ?? mergePorts(before.policies, after.policies);

  const changes: Change[] = [];
  const seen = new Set<string>(); // a named port and its number are one connection
  let connections = 0;
  // Sides as the cell was decided: the after cluster's endpoint, at the family both sides share (IPv4 first).
  const side = (x: Pod | ExternalClass, family: 4 | 6): Side =>
    "namespace" in x ? { name: podName(x), address: x.ips.find((ip) => ip.family === family)!.text, namespace: x.namespace } : { name: x.label, address: x.address.text, namespace: null };
  const compare = <S extends Pod | ExternalClass, D extends Pod | ExternalClass>(b: Matrix<S, D>, a: Matrix<S, D>) => {
    const n = a.destinations.length;
    for (let k = 0; k < a.cells.length; k++) {
      if (b.cells[k] === CELL_NONE && a.cells[k] === CELL_NONE) continue;
      connections++;
      if (b.cells[k] === a.cells[k]) continue;
      const why = (m: Matrix<S, D>): DirectionWhy => {
        const [egress, ingress] = m.reasons!.pairs[m.reasons!.index[k]!]!;
        return { verdict: m.cells[k] === CELL_ALLOW ? "allow" : m.cells[k] === CELL_NONE ? "n/a" : "deny", egress, ingress };
      };
      const src = a.sources[Math.floor(k / n)]!;
      const dst = a.destinations[k % n]!;
      const family = ([4, 6] as const).find((f) => src.ips.some((ip) => ip.family === f) && dst.ips.some((ip) => ip.family === f))!;
      const spec = a.spec;
      const number = "port" in spec ? spec.port : (dst.ports.find((c) => c.name === spec.name && c.protocol === spec.protocol) ?? b.destinations[k % n]!.ports.find((c) => c.name === spec.name && c.protocol === spec.protocol))!.containerPort;
      const change = { src: side(src, family), dst: side(dst, family), port: `${number}/${spec.protocol}${"name" in spec ? ` (${spec.name})` : ""}`, before: why(b), after: why(a) };
      const key = `${change.src.address}>${change.dst.address}:${number}/${spec.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      changes.push(change);
    }
  };
  for (const spec of ports) {
    const run = <S extends Pod | ExternalClass, D extends Pod | ExternalClass>(which: "before" | "after", s: readonly S[], d: readonly D[]) =>
      computeMatrix(engines[which], s, d, spec, { reasons: true });
    compare(run("before", podsBefore, podsBefore), run("after", podsAfter, podsAfter));
    if (externals.length > 0) {
      compare(run("before", podsBefore, externals), run("after", podsAfter, externals));
      compare(run("before", externals, podsBefore), run("after", externals, podsAfter));
    }
  }
  return {
    changes,
    pods: common.length,
    externals,
    ports,
    connections,
    podsOnlyBefore: [...beforePods.keys()].filter((k) => !afterPods.has(k)).sort(),
    podsOnlyAfter: [...afterPods.keys()].filter((k) => !beforePods.has(k)).sort(),
  };
}

function mergePorts(a: readonly NetworkPolicy[], b: readonly NetworkPolicy[]): PortSpec[] {
  return mentionedPorts([...a, ...b]);
}
