/**
 * Verdict rows (DESIGN.md §3). A profile is what decides one direction of one identity: the
 * set of policies that isolate it (plus, for ingress rules with named ports, the identity's
 * own named ports, since ingress ports resolve on the selected pod). For each port class a
 * profile has a row: the bitset of peer classes its rules allow. Identities selected by the
 * same policies share a profile; identical rows are stored once.
 */
import type { AdminPolicy, Cluster, Direction, NetworkPolicy } from "../model/types.js";
import { BitsetPool } from "./bits.js";
import type { Identity } from "./identities.js";
import { networkPolicyParts } from "./parts.js";
import type { PeerSets } from "./peers.js";
import type { PortClasses } from "./ports.js";
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
  /** The profile an identity (even one no pod had at compile time) would have, if the tables hold it; OPEN when none applies. */
  readonly find: (id: Identity, direction: Direction) => number | undefined;
  /** @internal The table itself, for live updates (incremental.ts) to carry on from. */
  readonly builder: ProfileTable;
}

export interface ProfileMembers {
  readonly direction: Direction;
  /** The NetworkPolicies isolating it, in cluster order; empty when none does. */
  readonly policies: readonly NetworkPolicy[];
  /** The admin-tier and baseline-tier policies selecting it, in evaluation order (none without tiers). */
  readonly admin: readonly AdminPolicy[];
  readonly baseline: readonly AdminPolicy[];
  /** An identity of this profile: ingress named ports resolve on its pods (the same for all of them). */
  readonly target: Identity;
}

export interface ProfileContext {
  readonly peers: PeerSets;
  readonly ports: PortClasses;
  readonly tiers: Tiers;
}

/** What profiles are made from: a cluster's policies by namespace, their selectors, and the tables. */
interface View {
  readonly ctx: Context;
  readonly selects: ReadonlyMap<NetworkPolicy, (labels: Identity["labels"]) => boolean>;
  readonly inNamespace: ReadonlyMap<string, readonly NetworkPolicy[]>;
}

interface Context extends ProfileContext {
  readonly scratch: { rows?: Uint32Array; tiers?: Uint32Array };
  /** walkTier's results by tier list. */
  readonly tierWalks: Map<string, Uint32Array>;
}

function usesNamedPorts(policies: readonly NetworkPolicy[], direction: Direction): boolean {
  return policies.some((p) => p[direction].some((r) => r.ports.some((port) => typeof port.port === "string")));
}

/** A number per policy object, never reused: profiles are keyed by the policies isolating them, whatever their place in the cluster. */
const uids = new WeakMap<object, number>();
let nextUid = 0;
export function policyUid(policy: object): number {
  let n = uids.get(policy);
  if (n === undefined) uids.set(policy, (n = nextUid++));
  return n;
}

/**
 * The profiles, numbered as first needed, and their rows in one pool. A compile fills it once;
 * live updates (incremental.ts) keep it and carry on: `use` a changed cluster, then ask for
 * the profiles of the identities it changed.
 */
export class ProfileTable {
  readonly keys = new Map<string, number>();
  /** Per profile: its row number for each port class. */
  table: Uint32Array[] = [];
  readonly members: ProfileMembers[] = [];
  rows = new BitsetPool();
  private view!: View;
  /** Each profile's cover (see Cover), for the port classes `coversFor`. */
  private covers: (Cover | undefined)[] = [];
  private coversFor?: PortClasses;

  constructor(cluster: Cluster, ctx: ProfileContext) {
    this.use(cluster, ctx);
    this.rows.intern(new Uint32Array(ctx.peers.words)); // row 0: allows nothing
  }

  /** The cluster and tables profiles are made from from now on (profiles and rows already made are kept). */
  use(cluster: Cluster, ctx: ProfileContext): void {
    const selects = new Map<NetworkPolicy, (labels: Identity["labels"]) => boolean>();
    const inNamespace = new Map<string, NetworkPolicy[]>();
    for (const p of cluster.policies) {
      selects.set(p, this.view?.selects.get(p) ?? compileSelector(p.podSelector));
      const list = inNamespace.get(p.namespace);
      if (list) list.push(p);
      else inNamespace.set(p.namespace, [p]);
    }
    this.view = { ctx: { ...ctx, scratch: {}, tierWalks: new Map() }, selects, inNamespace };
  }

  get count(): number {
    return this.table.length;
  }

  /** The profile of an identity: found, made (when `make`), or undefined when it would be new. */
  profileFor(id: Identity, direction: Direction, make: boolean): number | undefined {
    return this.lookup(this.view, id, direction, make);
  }

  /** A lookup that keeps answering for the tables as they are now, whatever later updates add. */
  finder(): (id: Identity, direction: Direction) => number | undefined {
    const [view, count] = [this.view, this.count];
    return (id, direction) => {
      const n = this.lookup(view, id, direction, false);
      return n === undefined || n === OPEN || n < count ? n : undefined;
    };
  }

  /** The rows of a profile for every port class, words [from, words) of each (see networkPolicyRows, tieredScratch). */
  tail(p: number, from: number): PolicyRows {
    const m = this.members[p]!;
    const ctx = this.view.ctx;
    if (m.admin.length + m.baseline.length === 0) {
      if (this.coversFor !== ctx.ports) [this.covers, this.coversFor] = [[], ctx.ports];
      const r = networkPolicyRows(m.policies, m.direction, m.target, ctx, from, this.covers[p]);
      this.covers[p] = r.cover;
      return r;
    }
    return { rows: tieredScratch(m.policies, m.admin, m.baseline, m.direction, m.target, ctx, from), rowOf: Int32Array.from({ length: ctx.ports.count }, (_, k) => k) };
  }

  private lookup({ ctx, selects, inNamespace }: View, id: Identity, direction: Direction, make: boolean): number | undefined {
    const policies = (inNamespace.get(id.namespace) ?? []).filter((p) => p.policyTypes[direction] && selects.get(p)!(id.labels));
    const admin = ctx.tiers.empty ? [] : ctx.tiers.selecting("admin", id, direction);
    const baseline = ctx.tiers.empty ? [] : ctx.tiers.selecting("baseline", id, direction);
    if (policies.length + admin.length + baseline.length === 0) return OPEN;
    const named = usesNamedPorts(policies, direction) || tiersUseNamedPorts([...admin, ...baseline], direction);
    const own = direction === "ingress" && named ? JSON.stringify([...id.namedPorts]) : "";
    const tierKey = admin.length + baseline.length === 0 ? "" : `:${admin.map(policyUid).join(",")}:${baseline.map(policyUid).join(",")}`;
    const key = `${direction}:${policies.map(policyUid).join(",")}:${own}${tierKey}`;
    let n = this.keys.get(key);
    if (n === undefined) {
      if (!make) return undefined;
      n = this.table.length;
      this.keys.set(key, n);
      this.table.push(tierKey === "" ? profileRows(policies, direction, id, ctx, this.rows) : tieredRows(policies, admin, baseline, direction, id, ctx, this.rows));
      this.members.push({ direction, policies, admin, baseline, target: id });
    }
    return n;
  }

  flat(): Uint32Array {
    const K = this.view.ctx.ports.count;
    const flat = new Uint32Array(this.table.length * K);
    this.table.forEach((t, i) => flat.set(t, i * K));
    return flat;
  }
}

export function buildProfiles(cluster: Cluster, ctx: ProfileContext & { readonly idents: readonly Identity[] }): Profiles {
  const builder = new ProfileTable(cluster, ctx);
  const egressOf = Uint32Array.from(ctx.idents, (id) => builder.profileFor(id, "egress", true)!);
  const ingressOf = Uint32Array.from(ctx.idents, (id) => builder.profileFor(id, "ingress", true)!);
  return { count: builder.count, egressOf, ingressOf, table: builder.flat(), rows: builder.rows, members: builder.members, find: builder.finder(), builder };
}

function profileRows(policies: readonly NetworkPolicy[], direction: Direction, target: Identity, ctx: Context, pool: BitsetPool): Uint32Array {
  const { rows, rowOf } = networkPolicyRows(policies, direction, target, ctx);
  const words = ctx.peers.words;
  const ids = Array.from({ length: rowOf.reduce((n, r) => Math.max(n, r + 1), 0) }, (_, r) => pool.intern(rows.subarray(r * words, (r + 1) * words)));
  return Uint32Array.from(rowOf, (r) => (r < 0 ? 0 : ids[r]!));
}

/** A profile's NetworkPolicy rows: each distinct one once (`rows`, words apart), and which one each port class has (-1: allows nothing). */
export interface PolicyRows {
  readonly rows: Uint32Array;
  readonly rowOf: Int32Array;
}

/**
 * The NetworkPolicy rows of a profile. Port classes covered by the same parts have the same row:
 * it is made once, numbered by the first port class that has it (rows are interned in that order).
 */
function networkPolicyRows(policies: readonly NetworkPolicy[], direction: Direction, target: Identity, ctx: Context, from = 0, known?: Cover): PolicyRows & { readonly cover: Cover } {
  // From word `from` on only (live updates compute the words of new peer classes): rows are `words - from` long.
  const words = ctx.peers.words - from;
  const K = ctx.ports.count;
  const parts: Uint32Array[] = [];
  const covering: string[] | undefined = known ? undefined : new Array<string>(K).fill("");
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      for (const { ports, peers } of networkPolicyParts(rule, policy, direction, target, ctx.peers, ctx.ports)) {
        const j = parts.length;
        parts.push(peers);
        if (!covering) continue;
        if (ports === "all") for (let k = 0; k < K; k++) covering[k] += `${j},`;
        else for (const k of ports) covering[k] += `${j},`;
      }
    }
  }
  const cover = known ?? coverOf(covering!);
  // One scratch row per distinct cover, reused across profiles: the pool copies what it keeps.
  const n = cover.parts.length;
  if (ctx.scratch.rows === undefined || ctx.scratch.rows.length < n * words) ctx.scratch.rows = new Uint32Array(Math.max(n, 8) * words);
  const rows = ctx.scratch.rows;
  cover.parts.forEach((list, r) => {
    const at = r * words;
    rows.fill(0, at, at + words);
    for (const j of list) {
      const peers = parts[j]!;
      for (let w = 0; w < words; w++) rows[at + w]! |= peers[from + w]!;
    }
  });
  return { rows, rowOf: cover.rowOf, cover };
}

/**
 * Which parts cover each port class, as distinct rows: `parts[r]` the parts ORed into row r,
 * `rowOf[k]` the row of port class k (-1: none). It depends on the rules and the port classes
 * only, not on the peer sets: live updates keep it per profile while the port classes stay.
 */
interface Cover {
  readonly rowOf: Int32Array;
  readonly parts: readonly (readonly number[])[];
}

function coverOf(covering: readonly string[]): Cover {
  const rowOf = new Int32Array(covering.length).fill(-1);
  const distinct = new Map<string, number>();
  covering.forEach((key, k) => {
    if (key === "") return;
    let r = distinct.get(key);
    if (r === undefined) distinct.set(key, (r = distinct.size));
    rowOf[k] = r;
  });
  return { rowOf, parts: [...distinct.keys()].map((key) => key.split(",").filter((j) => j !== "").map(Number)) };
}

/**
 * Verdict rows of a profile with admin tiers (SEMANTICS.md "Tiers"), per port class and peer
 * class: the first admin rule that matches decides (Allow, Deny; Pass hands over); then the
 * NetworkPolicy rows where they isolate; else the first baseline rule (only Deny denies);
 * else allowed. The core still reads one row per side. Each tier's walk depends only on its
 * policies (and, for ingress named ports, the target's), so it is done once per list.
 */
function tieredRows(
  policies: readonly NetworkPolicy[], admin: readonly AdminPolicy[], baseline: readonly AdminPolicy[],
  direction: Direction, target: Identity, ctx: Context, pool: BitsetPool,
): Uint32Array {
  const words = ctx.peers.words;
  const allowed = tieredScratch(policies, admin, baseline, direction, target, ctx, 0);
  return Uint32Array.from({ length: ctx.ports.count }, (_, k) => pool.intern(allowed.subarray(k * words, (k + 1) * words)));
}

/** tieredRows' rows, words [from, words) of each, port class k's at k × (words - from), in scratch. */
function tieredScratch(
  policies: readonly NetworkPolicy[], admin: readonly AdminPolicy[], baseline: readonly AdminPolicy[],
  direction: Direction, target: Identity, ctx: Context, from: number,
): Uint32Array {
  const words = ctx.peers.words - from;
  const K = ctx.ports.count;
  const size = K * words;
  const adminWalk = walkTier(admin, direction, target, ctx, from);
  const final = adminWalk.subarray(0, size); // decided by an admin Allow or Deny
  if (ctx.scratch.tiers === undefined || ctx.scratch.tiers.length < size) ctx.scratch.tiers = new Uint32Array(size);
  const allowed = ctx.scratch.tiers.subarray(0, size);
  allowed.set(adminWalk.subarray(size, 2 * size));
  const all = ctx.peers.all.subarray(from);
  if (policies.length > 0) {
    const np = networkPolicyRows(policies, direction, target, ctx, from);
    for (let k = 0; k < K; k++) {
      const r = np.rowOf[k]!;
      if (r < 0) continue;
      for (let w = 0, at = k * words, at2 = r * words; w < words; w++, at++) allowed[at]! |= np.rows[at2 + w]! & ~final[at]!;
    }
  } else {
    const denied = walkTier(baseline, direction, target, ctx, from).subarray(2 * size); // first match Deny
    for (let k = 0; k < K; k++) {
      for (let w = 0, at = k * words; w < words; w++, at++) allowed[at]! |= all[w]! & ~final[at]! & ~denied[at]!;
    }
  }
  return allowed;
}

/**
 * One tier's policies walked first-match over every (port class, peer class), cached per list:
 * three K × words bitsets — decided by Allow or Deny, allowed, denied (Pass decides neither).
 */
function walkTier(tier: readonly AdminPolicy[], direction: Direction, target: Identity, ctx: Context, from: number): Uint32Array {
  // Ingress named ports resolve on the target: only its ports of the names these rules use count.
  const names = direction === "ingress" ? new Set(tier.flatMap((p) => p.ingress.flatMap((r) => (r.ports ?? []).flatMap((x) => (x.kind === "named" ? [x.name] : []))))) : new Set();
  const own = names.size === 0 ? "" : JSON.stringify([...target.namedPorts].filter(([k]) => names.has(k.slice(0, k.lastIndexOf("/")))));
  const key = `${from}:${direction}:${own}:${tier.map(policyUid).join(",")}`;
  let result = ctx.tierWalks.get(key);
  if (result) return result;
  const words = ctx.peers.words - from;
  const K = ctx.ports.count;
  const size = K * words;
  result = new Uint32Array(3 * size);
  const seen = new Uint32Array(size); // matched by some rule walked so far
  for (const policy of tier) {
    for (const rule of policy[direction]) {
      const { action, parts } = ctx.tiers.partsOf(rule, direction, target);
      const at0 = action === "Allow" ? size : action === "Deny" ? 2 * size : -1;
      for (const part of parts) {
        const peers = from === 0 ? part.peers : part.peers.subarray(from);
        const classes = part.ports === "all" ? K : part.ports.length;
        for (let c = 0; c < classes; c++) {
          const k = part.ports === "all" ? c : part.ports[c]!;
          for (let w = 0, at = k * words; w < words; w++, at++) {
            const m = peers[w]! & ~seen[at]!;
            if (m === 0) continue;
            seen[at]! |= m;
            if (at0 < 0) continue; // Pass
            result[at]! |= m;
            result[at0 + at]! |= m;
          }
        }
      }
    }
  }
  ctx.tierWalks.set(key, result);
  return result;
}
