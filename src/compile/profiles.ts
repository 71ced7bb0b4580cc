/**
 * Verdict rows (DESIGN.md §3). A profile is what decides one direction of one identity: the
 * set of policies that isolate it (plus, for ingress rules with named ports, the identity's
 * own named ports, since ingress ports resolve on the selected pod). For each port class a
 * profile has a row: the bitset of peer classes its rules allow. Identities selected by the
 * same policies share a profile; identical rows are stored once.
 */
import type { AdminPolicy, Cluster, Direction, NetworkPolicy, PolicyPort, Protocol } from "../model/types.js";
import { BitsetPool, orInto } from "./bits.js";
import { type Identity, namedPortKey } from "./identities.js";
import type { PeerSets } from "./peers.js";
import { type PortClasses, classOfPort, classesOfRange } from "./ports.js";
import { compileSelector } from "./selector.js";
import { type Tiers, tiersUseNamedPorts } from "./tiers.js";

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
  /** The NetworkPolicies isolating it (cluster indices); empty when none does. */
  readonly policies: readonly number[];
  /** The admin-tier and baseline-tier policies selecting it, in evaluation order (none without tiers). */
  readonly admin: readonly AdminPolicy[];
  readonly baseline: readonly AdminPolicy[];
  /** An identity of this profile: ingress named ports resolve on its pods (the same for all of them). */
  readonly target: Identity;
}

interface Context {
  readonly peers: PeerSets;
  readonly ports: PortClasses;
  readonly idents: readonly Identity[];
  readonly tiers: Tiers;
  readonly scratch: { rows?: Uint32Array; tiers?: Uint32Array };
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
    const admin = ctx.tiers.empty ? [] : ctx.tiers.selecting("admin", id, direction);
    const baseline = ctx.tiers.empty ? [] : ctx.tiers.selecting("baseline", id, direction);
    if (chosen.length + admin.length + baseline.length === 0) return OPEN;
    const policies = chosen.map(({ p }) => p);
    const named = usesNamedPorts(policies, direction) || tiersUseNamedPorts([...admin, ...baseline], direction);
    const own = direction === "ingress" && named ? JSON.stringify([...id.namedPorts]) : "";
    const tierKey = admin.length + baseline.length === 0 ? "" : `:${admin.map((p) => ctx.tiers.admin.indexOf(p)).join(",")}:${baseline.map((p) => ctx.tiers.baseline.indexOf(p)).join(",")}`;
    const key = `${direction}:${chosen.map(({ i }) => i).join(",")}:${own}${tierKey}`;
    let n = keys.get(key);
    if (n === undefined) {
      n = table.length;
      keys.set(key, n);
      table.push(tierKey === "" ? profileRows(policies, direction, id, ctx, rows) : tieredRows(policies, admin, baseline, direction, id, ctx, rows));
      members.push({ direction, policies: chosen.map(({ i }) => i), admin, baseline, target: id });
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
  const { scratch, used } = networkPolicyRows(policies, direction, target, ctx);
  const words = ctx.peers.words;
  return Uint32Array.from(used, (u, k) => (u ? pool.intern(scratch.subarray(k * words, (k + 1) * words)) : 0));
}

/**
 * The NetworkPolicy rows of a profile, in scratch: port class k's row at k × words, valid
 * where `used[k]` (elsewhere the row allows nothing and scratch holds stale words).
 */
function networkPolicyRows(policies: readonly NetworkPolicy[], direction: Direction, target: Identity, ctx: Context): { scratch: Uint32Array; used: Uint8Array } {
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
  return { scratch, used };
}

/**
 * Verdict rows of a profile with admin tiers (SEMANTICS.md "Tiers"), per port class and peer
 * class: the first admin rule that matches decides (Allow, Deny; Pass hands over); then the
 * NetworkPolicy rows where they isolate; else the first baseline rule (only Deny denies);
 * else allowed. The core still reads one row per side.
 */
function tieredRows(
  policies: readonly NetworkPolicy[], admin: readonly AdminPolicy[], baseline: readonly AdminPolicy[],
  direction: Direction, target: Identity, ctx: Context, pool: BitsetPool,
): Uint32Array {
  const words = ctx.peers.words;
  const K = ctx.ports.count;
  const size = K * words;
  const scratch = (ctx.scratch.tiers ??= new Uint32Array(size * 4));
  scratch.fill(0);
  const seen = scratch.subarray(0, size); // matched by some rule of the tier walked so far
  const final = scratch.subarray(size, 2 * size); // decided by an admin Allow or Deny
  const allowed = scratch.subarray(2 * size, 3 * size);
  const denied = scratch.subarray(3 * size, 4 * size); // baseline Deny
  const walk = (tier: readonly AdminPolicy[], onMatch: (at: number, m: number, action: string) => void) => {
    for (const policy of tier) {
      for (const rule of policy[direction]) {
        const { action, parts } = ctx.tiers.partsOf(rule, direction, target);
        for (const part of parts) {
          const each = (k: number) => {
            for (let w = 0, at = k * words; w < words; w++, at++) {
              const m = part.peers[w]! & ~seen[at]!;
              if (m === 0) continue;
              seen[at]! |= m;
              onMatch(at, m, action);
            }
          };
          if (part.ports === "all") for (let k = 0; k < K; k++) each(k);
          else part.ports.forEach(each);
        }
      }
    }
  };
  walk(admin, (at, m, action) => {
    if (action === "Pass") return;
    final[at]! |= m;
    if (action === "Allow") allowed[at]! |= m;
  });
  const all = ctx.peers.all;
  if (policies.length > 0) {
    const np = networkPolicyRows(policies, direction, target, ctx);
    for (let k = 0; k < K; k++) {
      if (!np.used[k]) continue;
      for (let w = 0, at = k * words; w < words; w++, at++) allowed[at]! |= np.scratch[at]! & ~final[at]!;
    }
  } else {
    seen.fill(0);
    walk(baseline, (at, m, action) => {
      if (action === "Deny") denied[at]! |= m;
    });
    for (let k = 0; k < K; k++) {
      for (let w = 0, at = k * words; w < words; w++, at++) allowed[at]! |= all[w]! & ~final[at]! & ~denied[at]!;
    }
  }
  return Uint32Array.from({ length: K }, (_, k) => pool.intern(allowed.subarray(k * words, (k + 1) * words)));
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
