/**
 * What flows are drawn from, read once into typed arrays, so that drawing ten million flows
 * allocates nothing per flow: pod addresses as FlowBatch words with each pod's container ports,
 * the external blocks and their except holes as (base, host mask) word pairs, the numeric ports
 * policies name, and the node addresses host-network pods use. Ports are packed as
 * `port | protocol << 16`, the low half of FlowBatch's meta word. The input is an
 * EndpointSource (src/gen/sources.ts), so generated objects and a loaded cluster are read alike.
 */
import { PROTOCOL_CODE, WORDS_PER_ADDRESS, writeAddress } from "../engine/batch.js";
import type { CIDR, IPAddress, Protocol } from "../model/types.js";
import type { Random } from "./random.js";

/** A pod that owns addresses as a policy endpoint. */
export interface SourcePod {
  readonly namespace: string;
  /** Pods of one workload share it: popularity is drawn per workload. */
  readonly workload: string;
  readonly ips: readonly IPAddress[];
  /** Packed container ports (packPort). */
  readonly ports: readonly number[];
}

export interface SourceBlock {
  readonly cidr: CIDR;
  readonly except: readonly CIDR[];
}

/** A numeric port of a policy rule; `protocol` as written (absent and `TCP` are told apart). */
export interface SourcePort {
  readonly protocol: string | undefined;
  readonly port: number;
  readonly endPort: number | undefined;
}

export interface EndpointSource {
  readonly pods: readonly SourcePod[];
  /** Every ipBlock peer of every policy, in order; repeats are merged here. */
  readonly blocks: readonly SourceBlock[];
  /** Addresses host-network pods share with their node: outside the pod network. */
  readonly nodes: readonly IPAddress[];
  readonly ingressPorts: readonly SourcePort[];
  readonly egressPorts: readonly SourcePort[];
}

export interface PodTable {
  readonly count: number;
  /** WORDS_PER_ADDRESS words per pod. */
  readonly words: Uint32Array;
  /** Pod k's packed container ports are ports[portStart[k] .. portStart[k + 1]). */
  readonly portStart: Uint32Array;
  readonly ports: Uint32Array;
  /** Pods of one app next to each other, apps in random order: rank r is the r-th most popular. */
  readonly byPopularity: Uint32Array;
  /** Pod k's namespace is namespaceOf[k]; namespace n's pods are byNamespace[namespaceStart[n] .. namespaceStart[n + 1]). */
  readonly namespaceOf: Uint32Array;
  readonly namespaceStart: Uint32Array;
  readonly byNamespace: Uint32Array;
}

export interface BlockTable {
  readonly count: number;
  /** Network and host mask, WORDS_PER_ADDRESS words each per block. */
  readonly base: Uint32Array;
  readonly mask: Uint32Array;
  /** The except holes of all blocks, as base/mask too. */
  readonly holes: number;
  readonly holeBase: Uint32Array;
  readonly holeMask: Uint32Array;
}

export interface PortRanges {
  readonly count: number;
  /** Packed first port (with protocol) and the last port of each range. */
  readonly first: Uint32Array;
  readonly last: Uint32Array;
}

export interface Endpoints {
  readonly pods: { readonly 4: PodTable; readonly 6: PodTable };
  readonly blocks: { readonly 4: BlockTable; readonly 6: BlockTable };
  /** Every pod address, to keep "outside" addresses outside: IPv4 as its word, IPv6 as addressKey. */
  readonly podAddresses4: ReadonlySet<number>;
  readonly podAddresses6: ReadonlySet<string>;
  readonly nodes4: Uint32Array;
  readonly ingressPorts: PortRanges;
  readonly egressPorts: PortRanges;
}

export function packPort(port: number, protocol: string | undefined): number {
  return port | (PROTOCOL_CODE[(protocol ?? "TCP") as Protocol] << 16);
}

/** An IPv6 address's four words at `at`, as one string: the key of podAddresses6. */
export function addressKey(words: Uint32Array, at: number): string {
  return `${words[at]!},${words[at + 1]!},${words[at + 2]!},${words[at + 3]!}`;
}

interface PodEntry {
  readonly pod: SourcePod;
  readonly ip: IPAddress;
}

function groupBy(entries: readonly PodEntry[], key: (e: PodEntry) => string): number[][] {
  const groups = new Map<string, number[]>();
  entries.forEach((e, k) => {
    const members = groups.get(key(e));
    if (members) members.push(k);
    else groups.set(key(e), [k]);
  });
  return [...groups.values()];
}

function podTable(rng: Random, entries: readonly PodEntry[]): PodTable {
  const count = entries.length;
  const words = new Uint32Array(count * WORDS_PER_ADDRESS);
  const portStart = new Uint32Array(count + 1);
  const ports: number[] = [];
  entries.forEach((e, k) => {
    writeAddress(words, k * WORDS_PER_ADDRESS, e.ip);
    portStart[k] = ports.length;
    for (const p of e.pod.ports) ports.push(p);
  });
  portStart[count] = ports.length;
  const byPopularity = Uint32Array.from(rng.shuffle(groupBy(entries, (e) => `${e.pod.namespace}/${e.pod.workload}`)).flat());
  const namespaces = groupBy(entries, (e) => e.pod.namespace);
  const namespaceOf = new Uint32Array(count);
  const namespaceStart = new Uint32Array(namespaces.length + 1);
  namespaces.forEach((members, n) => {
    namespaceStart[n + 1] = namespaceStart[n]! + members.length;
    for (const k of members) namespaceOf[k] = n;
  });
  const byNamespace = Uint32Array.from(namespaces.flat());
  return { count, words, portStart, ports: Uint32Array.from(ports), byPopularity, namespaceOf, namespaceStart, byNamespace };
}

/** Pod addresses by family, in pod order. */
function podTables(rng: Random, pods: readonly SourcePod[]): { 4: PodTable; 6: PodTable } {
  const entries: { 4: PodEntry[]; 6: PodEntry[] } = { 4: [], 6: [] };
  for (const pod of pods) for (const ip of pod.ips) entries[ip.family].push({ pod, ip });
  return { 4: podTable(rng, entries[4]), 6: podTable(rng, entries[6]) };
}

function writeNetwork(base: Uint32Array, mask: Uint32Array, at: number, cidr: CIDR): void {
  writeAddress(base, at, cidr);
  const bits = cidr.family === 4 ? 32 : 128;
  for (let w = 0; w < WORDS_PER_ADDRESS; w++) {
    const fixed = Math.max(0, Math.min(32, cidr.prefix - 32 * w));
    mask[at + w] = w * 32 >= bits ? 0 : fixed === 0 ? 0xffffffff : fixed === 32 ? 0 : (0xffffffff >>> fixed);
  }
}

function blockTable(blocks: readonly SourceBlock[]): BlockTable {
  const holes = [...new Map(blocks.flatMap((b) => b.except.map((e) => [e.text, e] as const))).values()];
  const t = {
    count: blocks.length,
    base: new Uint32Array(blocks.length * WORDS_PER_ADDRESS), mask: new Uint32Array(blocks.length * WORDS_PER_ADDRESS),
    holes: holes.length,
    holeBase: new Uint32Array(holes.length * WORDS_PER_ADDRESS), holeMask: new Uint32Array(holes.length * WORDS_PER_ADDRESS),
  };
  blocks.forEach((b, i) => writeNetwork(t.base, t.mask, i * WORDS_PER_ADDRESS, b.cidr));
  holes.forEach((e, h) => writeNetwork(t.holeBase, t.holeMask, h * WORDS_PER_ADDRESS, e));
  return t;
}

/** Distinct (cidr, except) blocks, by family. */
function blockTables(blocks: readonly SourceBlock[]): { 4: BlockTable; 6: BlockTable } {
  const seen = new Map<string, SourceBlock>();
  for (const b of blocks) seen.set(`${b.cidr.text} ${b.except.map((e) => e.text).join(",")}`, b);
  const all = [...seen.values()];
  return { 4: blockTable(all.filter((b) => b.cidr.family === 4)), 6: blockTable(all.filter((b) => b.cidr.family === 6)) };
}

function portRanges(ports: readonly SourcePort[]): PortRanges {
  const seen = new Map<string, [number, number]>();
  for (const p of ports) seen.set(`${p.protocol} ${p.port} ${p.endPort}`, [packPort(p.port, p.protocol), p.endPort ?? p.port]);
  const ranges = [...seen.values()];
  return { count: ranges.length, first: Uint32Array.from(ranges, (r) => r[0]), last: Uint32Array.from(ranges, (r) => r[1]) };
}

export function readEndpoints(rng: Random, source: EndpointSource): Endpoints {
  const pods = podTables(rng, source.pods);
  const podAddresses4 = new Set<number>();
  for (let k = 0; k < pods[4].count; k++) podAddresses4.add(pods[4].words[k * WORDS_PER_ADDRESS]!);
  const podAddresses6 = new Set<string>();
  for (let k = 0; k < pods[6].count; k++) podAddresses6.add(addressKey(pods[6].words, k * WORDS_PER_ADDRESS));
  const nodes = new Uint32Array(WORDS_PER_ADDRESS);
  const nodes4 = new Set<number>();
  for (const ip of source.nodes) {
    if (ip.family !== 4) continue;
    writeAddress(nodes, 0, ip);
    nodes4.add(nodes[0]!);
  }
  return {
    pods, podAddresses4, podAddresses6, blocks: blockTables(source.blocks), nodes4: Uint32Array.from(nodes4),
    ingressPorts: portRanges(source.ingressPorts),
    egressPorts: portRanges(source.egressPorts),
  };
}
