/**
 * What flows are drawn from, read once from the generated objects into typed arrays, so that
 * drawing ten million flows allocates nothing per flow: pod addresses as FlowBatch words with
 * each pod's container ports, the external blocks and their except holes as (base, host mask)
 * word pairs, the numeric ports policies name, and the node addresses host-network pods use.
 * Ports are packed as `port | protocol << 16`, the low half of FlowBatch's meta word.
 */
import type * as api from "../load/api.js";
import { PROTOCOL_CODE, WORDS_PER_ADDRESS, writeAddress } from "../engine/batch.js";
import type { Protocol } from "../model/types.js";
import { parseCIDR, parseIP } from "../validate/ip.js";
import type { GeneratedCluster } from "./cluster.js";
import type { Random } from "./random.js";

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
  /** Every pod IPv4 address, to keep "outside" addresses outside. */
  readonly podAddresses4: ReadonlySet<number>;
  readonly nodes4: Uint32Array;
  readonly ingressPorts: PortRanges;
  readonly egressPorts: PortRanges;
}

export function packPort(port: number, protocol: string | undefined): number {
  return port | (PROTOCOL_CODE[(protocol ?? "TCP") as Protocol] << 16);
}

function wordsOf(text: string): Uint32Array {
  const r = parseIP(text);
  if (!r.ok) throw new Error(`generateFlows: not an IP address: ${text}`);
  const out = new Uint32Array(WORDS_PER_ADDRESS);
  writeAddress(out, 0, r.value);
  return out;
}

interface PodEntry {
  readonly namespace: string;
  readonly app: string;
  readonly words: Uint32Array;
  readonly ports: readonly number[];
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
    words.set(e.words, k * WORDS_PER_ADDRESS);
    portStart[k] = ports.length;
    ports.push(...e.ports);
  });
  portStart[count] = ports.length;
  const byPopularity = Uint32Array.from(rng.shuffle(groupBy(entries, (e) => `${e.namespace}/${e.app}`)).flat());
  const namespaces = groupBy(entries, (e) => e.namespace);
  const namespaceOf = new Uint32Array(count);
  const namespaceStart = new Uint32Array(namespaces.length + 1);
  namespaces.forEach((members, n) => {
    namespaceStart[n + 1] = namespaceStart[n]! + members.length;
    for (const k of members) namespaceOf[k] = n;
  });
  const byNamespace = Uint32Array.from(namespaces.flat());
  return { count, words, portStart, ports: Uint32Array.from(ports), byPopularity, namespaceOf, namespaceStart, byNamespace };
}

/** Running pods off the host network, by family. */
function podTables(rng: Random, pods: readonly api.Pod[]): { 4: PodTable; 6: PodTable } {
  const entries: { 4: PodEntry[]; 6: PodEntry[] } = { 4: [], 6: [] };
  for (const pod of pods) {
    if (pod.spec?.hostNetwork || pod.status?.phase !== "Running") continue;
    const namespace = pod.metadata.namespace!;
    const app = pod.metadata.labels?.app ?? pod.metadata.labels?.["k8s-app"] ?? pod.metadata.name!;
    const ports = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => packPort(p.containerPort!, p.protocol)));
    for (const { ip } of pod.status.podIPs ?? []) {
      const words = wordsOf(ip!);
      entries[ip!.includes(":") ? 6 : 4].push({ namespace, app, words, ports });
    }
  }
  return { 4: podTable(rng, entries[4]), 6: podTable(rng, entries[6]) };
}

function writeNetwork(base: Uint32Array, mask: Uint32Array, at: number, text: string): void {
  const r = parseCIDR(text);
  if (!r.ok) throw new Error(`generateFlows: not a CIDR: ${text}`);
  const cidr = r.value;
  writeAddress(base, at, { family: cidr.family, bytes: cidr.bytes, text: cidr.text });
  const bits = cidr.family === 4 ? 32 : 128;
  for (let w = 0; w < WORDS_PER_ADDRESS; w++) {
    const fixed = Math.max(0, Math.min(32, cidr.prefix - 32 * w));
    mask[at + w] = w * 32 >= bits ? 0 : fixed === 0 ? 0xffffffff : fixed === 32 ? 0 : (0xffffffff >>> fixed);
  }
}

function blockTable(blocks: readonly api.IPBlock[]): BlockTable {
  const holes = [...new Set(blocks.flatMap((b) => b.except ?? []))];
  const t = {
    count: blocks.length,
    base: new Uint32Array(blocks.length * WORDS_PER_ADDRESS), mask: new Uint32Array(blocks.length * WORDS_PER_ADDRESS),
    holes: holes.length,
    holeBase: new Uint32Array(holes.length * WORDS_PER_ADDRESS), holeMask: new Uint32Array(holes.length * WORDS_PER_ADDRESS),
  };
  blocks.forEach((b, i) => writeNetwork(t.base, t.mask, i * WORDS_PER_ADDRESS, b.cidr!));
  holes.forEach((e, h) => writeNetwork(t.holeBase, t.holeMask, h * WORDS_PER_ADDRESS, e));
  return t;
}

function peersOf(p: api.NetworkPolicy): api.NetworkPolicyPeer[] {
  return [...(p.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(p.spec?.egress ?? []).flatMap((r) => r.to ?? [])];
}

/** Distinct (cidr, except) blocks, by family. */
function blockTables(policies: readonly api.NetworkPolicy[]): { 4: BlockTable; 6: BlockTable } {
  const seen = new Map<string, api.IPBlock>();
  for (const peer of policies.flatMap(peersOf)) {
    if (peer.ipBlock) seen.set(`${peer.ipBlock.cidr} ${(peer.ipBlock.except ?? []).join(",")}`, peer.ipBlock);
  }
  const all = [...seen.values()];
  return { 4: blockTable(all.filter((b) => !b.cidr!.includes(":"))), 6: blockTable(all.filter((b) => b.cidr!.includes(":"))) };
}

function portRanges(rules: readonly { ports?: api.NetworkPolicyPort[] }[]): PortRanges {
  const seen = new Map<string, [number, number]>();
  for (const p of rules.flatMap((r) => r.ports ?? [])) {
    if (typeof p.port !== "number") continue;
    seen.set(`${p.protocol} ${p.port} ${p.endPort}`, [packPort(p.port, p.protocol), p.endPort ?? p.port]);
  }
  const ranges = [...seen.values()];
  return { count: ranges.length, first: Uint32Array.from(ranges, (r) => r[0]), last: Uint32Array.from(ranges, (r) => r[1]) };
}

export function readEndpoints(rng: Random, cluster: GeneratedCluster): Endpoints {
  const pods = podTables(rng, cluster.pods);
  const podAddresses4 = new Set<number>();
  for (let k = 0; k < pods[4].count; k++) podAddresses4.add(pods[4].words[k * WORDS_PER_ADDRESS]!);
  const nodes = new Set<number>();
  for (const pod of cluster.pods) if (pod.spec?.hostNetwork && pod.status?.podIP) nodes.add(wordsOf(pod.status.podIP)[0]!);
  return {
    pods, podAddresses4, blocks: blockTables(cluster.policies), nodes4: Uint32Array.from(nodes),
    ingressPorts: portRanges(cluster.policies.flatMap((p) => p.spec?.ingress ?? [])),
    egressPorts: portRanges(cluster.policies.flatMap((p) => p.spec?.egress ?? [])),
  };
}
