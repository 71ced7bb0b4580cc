/**
 * `generateFlows()`: flows for a generated cluster, written straight into a FlowBatch. Most
 * are pod to pod, the rest have one side outside the cluster (inside the policies' CIDRs,
 * inside their except holes, node addresses, the open internet); a few are IPv6 end to end.
 * Ports are mostly those the destination pod listens on or the policies name, so verdicts come
 * out a real mix of allow and deny. The per-flow loop allocates nothing.
 */
import { FlowBatch, PROTOCOL_OF_CODE, WORDS_PER_ADDRESS } from "../engine/batch.js";
import type { Protocol } from "../model/types.js";
import { formatIP } from "../validate/ip.js";
import type { GeneratedCluster } from "./cluster.js";
import { type BlockTable, type Endpoints, type PodTable, type PortRanges, packPort, readEndpoints } from "./endpoints.js";
import { POD_NETWORK_V4 } from "./pods.js";
import { DEFAULT_SEED, Random } from "./random.js";

export interface FlowParams {
  readonly count: number;
  /** Share of IPv6 flows (default 0.05); none when the cluster has no IPv6 pod address. */
  readonly ipv6?: number;
  /** Share of flows with one side outside the cluster (default 0.2). */
  readonly external?: number;
  readonly seed?: number;
  /** Popular-service skew: destination rank r is drawn as count·u^(1+skew); 0 is uniform. */
  readonly skew?: number;
}

export interface FlowText {
  readonly src: string;
  readonly dst: string;
  readonly protocol: Protocol;
  readonly port: number;
}

const COMMON_PORTS = Uint32Array.from(
  [
    [80, "TCP"], [443, "TCP"], [8080, "TCP"], [22, "TCP"], [53, "UDP"], [53, "TCP"],
    [3306, "TCP"], [5432, "TCP"], [6379, "TCP"], [9090, "TCP"], [123, "UDP"],
  ] as const,
  ([port, protocol]) => packPort(port, protocol),
);
/** First octets of the public IPv4 space: not 0, 10 or 127, not multicast or reserved. */
const PUBLIC_OCTETS = Uint8Array.from({ length: 223 }, (_, i) => i + 1).filter((o) => o !== 10 && o !== 127);
const POD_NETWORK_MASK = (0xffffffff << (32 - POD_NETWORK_V4.prefix)) >>> 0;
const IPV6_FLAG = 1 << 24;
/** Share of pod-to-pod flows that stay inside a namespace: most traffic is an app and its own stores. */
const LOCAL_SHARE = 0.5;
const W = WORDS_PER_ADDRESS;

class FlowWriter {
  constructor(
    private readonly rng: Random,
    private readonly e: Endpoints,
    private readonly batch: FlowBatch,
    private readonly exponent: number,
  ) {}

  podToPod(i: number, t: PodTable, flag: number): void {
    const dst = this.popularPod(t);
    let src = this.rng.chance(LOCAL_SHARE) ? this.neighbour(t, dst) : this.rng.below(t.count);
    if (src === dst && t.count > 1) src = (src + 1) % t.count;
    copy(this.batch.src, i * W, t.words, src * W);
    copy(this.batch.dst, i * W, t.words, dst * W);
    this.batch.meta[i] = (this.podPort(t, dst) | flag) >>> 0;
  }

  inbound(i: number, t: PodTable, flag: number): void {
    const dst = this.popularPod(t);
    this.outside(this.batch.src, i * W, flag);
    copy(this.batch.dst, i * W, t.words, dst * W);
    this.batch.meta[i] = (this.podPort(t, dst) | flag) >>> 0;
  }

  outbound(i: number, t: PodTable, flag: number): void {
    copy(this.batch.src, i * W, t.words, this.rng.below(t.count) * W);
    this.outside(this.batch.dst, i * W, flag);
    this.batch.meta[i] = (this.externalPort() | flag) >>> 0;
  }

  /** A pod of the same namespace (possibly the pod itself). */
  private neighbour(t: PodTable, k: number): number {
    const n = t.namespaceOf[k]!;
    const start = t.namespaceStart[n]!;
    return t.byNamespace[start + this.rng.below(t.namespaceStart[n + 1]! - start)]!;
  }

  private popularPod(t: PodTable): number {
    if (this.exponent === 1) return this.rng.below(t.count);
    return t.byPopularity[Math.floor(t.count * this.rng.float() ** this.exponent)]!;
  }

  private podPort(t: PodTable, k: number): number {
    const r = this.rng.float();
    const start = t.portStart[k]!;
    const n = t.portStart[k + 1]! - start;
    if (r < 0.65 && n > 0) return t.ports[start + this.rng.below(n)]!;
    if (r < 0.85 && this.e.ingressPorts.count > 0) return this.inRange(this.e.ingressPorts);
    return this.randomPort();
  }

  private externalPort(): number {
    const r = this.rng.float();
    if (r < 0.6 && this.e.egressPorts.count > 0) return this.inRange(this.e.egressPorts);
    if (r < 0.8) return COMMON_PORTS[this.rng.below(COMMON_PORTS.length)]!;
    return this.randomPort();
  }

  private inRange(ranges: PortRanges): number {
    const j = this.rng.below(ranges.count);
    const first = ranges.first[j]!;
    return first + this.rng.below(ranges.last[j]! - (first & 0xffff) + 1);
  }

  private randomPort(): number {
    const r = this.rng.float();
    const protocol = r < 0.8 ? 0 : r < 0.95 ? 1 : 2;
    if (this.rng.chance(0.5)) return (COMMON_PORTS[this.rng.below(COMMON_PORTS.length)]! & 0xffff) | (protocol << 16);
    return (1 + this.rng.below(65535)) | (protocol << 16);
  }

  /** An address that no pod owns: retried (rarely) when a block around the pod network hits a pod. */
  private outside(words: Uint32Array, at: number, flag: number): void {
    if (flag !== 0) return this.outside6(words, at);
    const blocks = this.e.blocks[4];
    let r = this.rng.float();
    for (let attempt = 0; attempt < 4; attempt++, r = 1) {
      if (r < 0.5 && blocks.count > 0) this.inBlock(words, at, blocks.base, blocks.mask, this.rng.below(blocks.count));
      else if (r < 0.75 && blocks.holes > 0) this.inBlock(words, at, blocks.holeBase, blocks.holeMask, this.rng.below(blocks.holes));
      else if (r < 0.85 && this.e.nodes4.length > 0) words[at] = this.e.nodes4[this.rng.below(this.e.nodes4.length)]!;
      else words[at] = ((PUBLIC_OCTETS[this.rng.below(PUBLIC_OCTETS.length)]! << 24) | (this.rng.next() & 0xffffff)) >>> 0;
      words[at + 1] = words[at + 2] = words[at + 3] = 0;
      const a = words[at]!;
      if ((a & POD_NETWORK_MASK) >>> 0 !== POD_NETWORK_V4.base || !this.e.podAddresses4.has(a)) return;
    }
  }

  private outside6(words: Uint32Array, at: number): void {
    const blocks: BlockTable = this.e.blocks[6];
    const r = this.rng.float();
    if (r < 0.55 && blocks.count > 0) return this.inBlock(words, at, blocks.base, blocks.mask, this.rng.below(blocks.count));
    if (r < 0.8 && blocks.holes > 0) return this.inBlock(words, at, blocks.holeBase, blocks.holeMask, this.rng.below(blocks.holes));
    // Global unicast 2000::/3.
    words[at] = (0x20000000 | (this.rng.next() & 0x1fffffff)) >>> 0;
    for (let w = 1; w < W; w++) words[at + w] = this.rng.next();
  }

  private inBlock(words: Uint32Array, at: number, base: Uint32Array, mask: Uint32Array, j: number): void {
    for (let w = 0; w < W; w++) {
      const m = mask[j * W + w]!;
      words[at + w] = m === 0 ? base[j * W + w]! : (base[j * W + w]! | (this.rng.next() & m)) >>> 0;
    }
  }
}

function copy(to: Uint32Array, at: number, from: Uint32Array, k: number): void {
  to[at] = from[k]!;
  to[at + 1] = from[k + 1]!;
  to[at + 2] = from[k + 2]!;
  to[at + 3] = from[k + 3]!;
}

function share(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`generateFlows: params.${field} must be in 0..1, got ${v}`);
  return v;
}

export function generateFlows(cluster: GeneratedCluster, params: FlowParams): FlowBatch {
  const { count } = params;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`generateFlows: params.count must be a whole number ≥ 0, got ${count}`);
  const skew = params.skew ?? 0;
  if (!(skew >= 0 && Number.isFinite(skew))) throw new RangeError(`generateFlows: params.skew must be a number ≥ 0, got ${skew}`);
  const external = share(params.external, 0.2, "external");
  const rng = new Random(params.seed ?? DEFAULT_SEED);
  const e = readEndpoints(rng.fork(), cluster);
  if (count > 0 && e.pods[4].count === 0) throw new RangeError("generateFlows: the cluster has no running pod with an IPv4 address");
  const ipv6 = e.pods[6].count > 0 ? share(params.ipv6, 0.05, "ipv6") : 0;
  const batch = new FlowBatch(count);
  const writer = new FlowWriter(rng, e, batch, 1 + skew);
  const half = external / 2;
  for (let i = 0; i < count; i++) {
    const v6 = rng.float() < ipv6;
    const t = v6 ? e.pods[6] : e.pods[4];
    const flag = v6 ? IPV6_FLAG : 0;
    const r = rng.float();
    if (r >= external) writer.podToPod(i, t, flag);
    else if (r < half) writer.inbound(i, t, flag);
    else writer.outbound(i, t, flag);
  }
  batch.length = count;
  return batch;
}

function addressText(words: Uint32Array, at: number, v6: boolean): string {
  const a = words[at]!;
  if (!v6) return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let w = 0; w < W; w++) view.setUint32(4 * w, words[at + w]!);
  return formatIP(bytes);
}

/** Flow i as text: for CSV writers and the reference evaluator. */
export function flowsAsText(batch: FlowBatch, i: number): FlowText {
  if (!Number.isInteger(i) || i < 0 || i >= batch.length) throw new RangeError(`flowsAsText: no flow ${i} in a batch of ${batch.length}`);
  const meta = batch.meta[i]!;
  const v6 = (meta & IPV6_FLAG) !== 0;
  return {
    src: addressText(batch.src, i * W, v6),
    dst: addressText(batch.dst, i * W, v6),
    protocol: PROTOCOL_OF_CODE[(meta >>> 16) & 0xff]!,
    port: meta & 0xffff,
  };
}
