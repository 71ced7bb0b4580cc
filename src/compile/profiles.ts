/**
 * Verdict rows (DESIGN.md §3). A profile is what decides one direction of one identity: the
 * set of policies that isolate it (plus, for ingress rules with named ports, the identity's
 * own named ports, since ingress ports resolve on the selected pod). For each port class a
 * profile has a row: the bitset of peer classes its rules allow. Identities selected by the
 * same policies share a profile; identical rows are stored once.
 */
import type { Cluster, Direction, NetworkPolicy, PolicyPort, Protocol } from "../model/types.js";
import { BitsetPool, orInto } from "./bits.js";
import { type Identity, namedPortKey } from "./identities.js";
import type { PeerSets } from "./peers.js";
import { type PortClasses, classOfPort, classesOfRange } from "./ports.js";
import { compileSelector } from "./selector.js";

/** Profile number meaning "not isolated: everything allowed". */
export const OPEN = 0xffffffff;

export interface Profiles {
  readonly count: number;
  readonly egressOf: Uint32Array;
  readonly ingressOf: Uint32Array;
  /** count × portClasses row numbers. */
  readonly table: Uint32Array;
  readonly rows: BitsetPool;
  /** What each profile is: its direction, the policies isolating it (in cluster order), and an identity it decides for. */
  readonly members: readonly ProfileMembers[];
}

export interface ProfileMembers {
  readonly direction: Direction;
  readonly policies: readonly number[];
  /** An identity of this profile: ingress named ports resolve on its pods (the same for all of them). */
  readonly target: Identity;
}

interface Context {
  readonly peers: PeerSets;
  readonly ports: PortClasses;
  readonly idents: readonly Identity[];
  readonly scratch: { rows?: Uint32Array };
}

function usesNamedPorts(policies: readonly NetworkPolicy[], direction: Direction): boolean {
  return policies.some((p) => p[direction].some((r) => r.ports.some((port) => typeof port.port === "string")));
}

export function buildProfiles(cluster: Cluster, ctx0: Omit<Context, "scratch">): Profiles {
  const ctx: Context = { ...ctx0, scratch: {} };
  const selects = cluster.policies.map((p) => compileSelector(p.podSelector));
  const inNamespace = new Map<string, number[]>();
  cluster.policies.forEach((p, i) => inNamespace.set(p.namespace, [...(inNamespace.get(p.namespace) ?? []), i]));
  const rows = new BitsetPool();
  rows.intern(new Uint32Array(ctx.peers.words)); // row 0: allows nothing
  const keys = new Map<string, number>();
  const table: Uint32Array[] = [];
  const members: ProfileMembers[] = [];
  const profileOf = (identity: number, direction: Direction): number => {
    const id = ctx.idents[identity]!;
    const chosen = (inNamespace.get(id.namespace) ?? [])
      .map((i) => ({ p: cluster.policies[i]!, i }))
      .filter(({ p, i }) => p.policyTypes[direction] && selects[i]!(id.labels));
    if (chosen.length === 0) return OPEN;
    const policies = chosen.map(({ p }) => p);
    const own = direction === "ingress" && usesNamedPorts(policies, direction) ? JSON.stringify([...id.namedPorts]) : "";
    const key = `${direction}:${chosen.map(({ i }) => i).join(",")}:${own}`;
    let n = keys.get(key);
    if (n === undefined) {
      n = table.length;
      keys.set(key, n);
      table.push(profileRows(policies, direction, id, ctx, rows));
      members.push({ direction, policies: chosen.map(({ i }) => i), target: id });
    }
    return n;
  };
  const egressOf = Uint32Array.from(ctx.idents, (_, i) => profileOf(i, "egress"));
  const ingressOf = Uint32Array.from(ctx.idents, (_, i) => profileOf(i, "ingress"));
  const flat = new Uint32Array(table.length * ctx.ports.count);
  table.forEach((t, i) => flat.set(t, i * ctx.ports.count));
  return { count: table.length, egressOf, ingressOf, table: flat, rows, members };
}

function profileRows(policies: readonly NetworkPolicy[], direction: Direction, target: Identity, ctx: Context, pool: BitsetPool): Uint32Array {
  // One scratch row per port class, reused across profiles: the pool copies what it keeps.
  const words = ctx.peers.words;
  const scratch = (ctx.scratch.rows ??= new Uint32Array(ctx.ports.count * words));
  const used = new Uint8Array(ctx.ports.count);
  const slot = (k: number) => {
    if (!used[k]) {
      used[k] = 1;
      scratch.fill(0, k * words, (k + 1) * words);
    }
    return scratch.subarray(k * words, (k + 1) * words);
  };
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      const peers = ctx.peers.ofRule(rule, policy);
      if (rule.ports.length === 0) {
        for (let k = 0; k < ctx.ports.count; k++) orInto(slot(k), peers);
        continue;
      }
      for (const port of rule.ports) addPort(port, peers, direction, target, ctx, slot);
    }
  }
  return Uint32Array.from(used, (u, k) => (u ? pool.intern(scratch.subarray(k * words, (k + 1) * words)) : 0));
}

function addPort(port: PolicyPort, peers: Uint32Array, direction: Direction, target: Identity, ctx: Context, slot: (k: number) => Uint32Array): void {
  const protocol: Protocol = port.protocol;
  if (typeof port.port !== "string") {
    const [from, to] = port.port === undefined ? [0, 65535] : [port.port, port.endPort ?? port.port];
    for (const k of classesOfRange(ctx.ports, protocol, from, to)) orInto(slot(k), peers);
    return;
  }
  const key = namedPortKey(port.port, protocol);
  if (direction === "ingress") {
    for (const n of target.namedPorts.get(key) ?? []) orInto(slot(classOfPort(ctx.ports, protocol, n)), peers);
    return;
  }
  for (const [n, destinations] of ctx.peers.named.get(key) ?? []) {
    const row = slot(classOfPort(ctx.ports, protocol, n));
    for (let w = 0; w < row.length; w++) row[w]! |= peers[w]! & destinations[w]!;
  }
}
