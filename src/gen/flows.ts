/**
 * Flows for a cluster, written straight into FlowBatches: `generateFlows()` for a generated
 * cluster (one batch), `streamFlows()` for a loaded one (batch after batch, constant memory for
 * any count); one drawing loop serves both. Most flows are pod to pod, the rest have one side
 * outside the cluster (inside the policies' CIDRs, inside their except holes, node addresses,
 * the open internet); a few are IPv6 end to end. Ports are mostly those the destination pod
 * listens on or the policies name, so verdicts come out a real mix of allow and deny. The
 * per-flow loop allocates nothing (but for the rare IPv6 address drawn outside the cluster).
 */
import { FAMILY_V6, FlowBatch, WORDS_PER_ADDRESS } from "../engine/batch.js";
import type { Cluster } from "../model/types.js";
import type { GeneratedCluster } from "./cluster.js";
import {
  type BlockTable, type EndpointSource, type Endpoints, type PodTable, type PortRanges, addressKey, packPort, readEndpoints,
} from "./endpoints.js";
import { DEFAULT_SEED, Random } from "./random.js";
import { modelSource, objectSource } from "./sources.js";

export interface FlowParams {
  readonly count: number;
  /**
   * Share of IPv6 flows (default 0.05): none when the cluster has no IPv6 pod address, all
   * when it has no IPv4 one.
   */
  readonly ipv6?: number;
  /** Share of flows with one side outside the cluster (default 0.2). */
  readonly external?: number;
  readonly seed?: number;
  /** Popular-service skew: destination rank r is drawn as count·u^(1+skew); 0 is uniform. */
  readonly skew?: number;
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
/** Share of pod-to-pod flows that stay inside a namespace: most traffic is an app and its own stores. */
const LOCAL_SHARE = 0.5;
const W = WORDS_PER_ADDRESS;

class FlowWriter {
  constructor(
    private readonly rng: Random,
    private readonly e: Endpoints,
    private readonly exponent: number,
  ) {}

  /** The batch being filled; set before each fill. */
  batch = new FlowBatch(0);

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

  /** An address that no pod owns: retried (rarely) when a block around pods hits one. */
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
      if (!this.e.podAddresses4.has(a)) return;
    }
  }

  private outside6(words: Uint32Array, at: number): void {
    const blocks: BlockTable = this.e.blocks[6];
    let r = this.rng.float();
    for (let attempt = 0; attempt < 4; attempt++, r = 1) {
      if (r < 0.55 && blocks.count > 0) this.inBlock(words, at, blocks.base, blocks.mask, this.rng.below(blocks.count));
      else if (r < 0.8 && blocks.holes > 0) this.inBlock(words, at, blocks.holeBase, blocks.holeMask, this.rng.below(blocks.holes));
      else {
        // Global unicast 2000::/3.
        words[at] = (0x20000000 | (this.rng.next() & 0x1fffffff)) >>> 0;
        for (let w = 1; w < W; w++) words[at + w] = this.rng.next();
      }
      if (this.e.podAddresses6.size === 0 || !this.e.podAddresses6.has(addressKey(words, at))) return;
    }
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

function share(api: string, value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${api}: params.${field} must be in 0..1, got ${v}`);
  return v;
}

/** How many flows of each kind a stream has written so far. */
export interface FlowCounts {
  readonly flows: number;
  readonly podToPod: number;
  readonly external: number;
  readonly ipv6: number;
}

/** Flows drawn batch after batch; the same seed gives the same flows whatever the batch sizes. */
export class FlowStream {
  /** The IPv6 share in effect: 0 when the cluster has no IPv6 pod address, 1 when it has no IPv4 one. */
  readonly ipv6: number;
  private readonly rng: Random;
  private readonly e: Endpoints;
  private readonly writer: FlowWriter;
  private readonly external: number;
  private readonly counts = { flows: 0, podToPod: 0, external: 0, ipv6: 0 };

  readonly count: number;

  /** `api` names the caller in error messages; `source` is read once the parameters are known to be good. */
  constructor(api: string, source: () => EndpointSource, params: FlowParams) {
    const { count } = params;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`${api}: params.count must be a whole number ≥ 0, got ${count}`);
    const skew = params.skew ?? 0;
    if (!(skew >= 0 && Number.isFinite(skew))) throw new RangeError(`${api}: params.skew must be a number ≥ 0, got ${skew}`);
    this.external = share(api, params.external, 0.2, "external");
    const ipv6 = share(api, params.ipv6, 0.05, "ipv6");
    this.rng = new Random(params.seed ?? DEFAULT_SEED);
    this.e = readEndpoints(this.rng.fork(), source());
    const [v4, v6] = [this.e.pods[4].count, this.e.pods[6].count];
    if (count > 0 && v4 + v6 === 0) throw new RangeError(`${api}: the cluster has no running pod with an address (off the host network)`);
    this.ipv6 = v6 === 0 ? 0 : v4 === 0 ? 1 : ipv6;
    this.writer = new FlowWriter(this.rng, this.e, 1 + skew);
    this.count = count;
  }

  get written(): FlowCounts {
    return { ...this.counts };
  }

  get remaining(): number {
    return this.count - this.counts.flows;
  }

  /** Writes the next flows into `batch` from its start, as many as fit; returns how many (0 when done). */
  fill(batch: FlowBatch): number {
    const n = Math.min(batch.capacity, this.remaining);
    const { rng, e, writer, external, ipv6, counts } = this;
    const half = external / 2;
    writer.batch = batch;
    for (let i = 0; i < n; i++) {
      const v6 = rng.float() < ipv6;
      const t = v6 ? e.pods[6] : e.pods[4];
      const flag = v6 ? FAMILY_V6 : 0;
      const r = rng.float();
      if (r >= external) {
        writer.podToPod(i, t, flag);
        counts.podToPod++;
      } else if (r < half) writer.inbound(i, t, flag);
      else writer.outbound(i, t, flag);
      if (v6) counts.ipv6++;
    }
    counts.flows += n;
    counts.external = counts.flows - counts.podToPod;
    batch.length = n;
    return n;
  }
}

export function generateFlows(cluster: GeneratedCluster, params: FlowParams): FlowBatch {
  const stream = new FlowStream("generateFlows", () => objectSource(cluster), params);
  const batch = new FlowBatch(params.count);
  stream.fill(batch);
  return batch;
}

/**
 * Flows for any loaded cluster (`loadPaths`, `loadCluster`), drawn on demand: fill a batch,
 * use it, fill it again, until `fill` returns 0. Host-network pods are not in the model, so
 * unlike generateFlows no flow goes to a node address.
 */
export function streamFlows(cluster: Cluster, params: FlowParams): FlowStream {
  return new FlowStream("streamFlows", () => modelSource(cluster), params);
}
