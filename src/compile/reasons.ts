/**
 * Reasons (why a side allowed): for every profile, the rules of its policies in order — the
 * order the reference evaluator walks them — each as a few *parts*: a set of port classes
 * times a row of the peers it allows there. The first part holding the flow's port class and
 * the far side's class names the rule that allowed the flow. A profile's parts lie together.
 *
 * Verdict rows merge peer classes that no profile row tells apart; two peers allowed by
 * different rules of one profile may be merged there. So reasons have classes of their own,
 * *reason classes*: the peer classes (after the peer-set merge) merged only where no part row
 * tells them apart. Every address knows both its classes.
 */
import type { AdminRule, Cluster, Direction, NetworkPolicy, Rule } from "../model/types.js";
import { BitsetPool, allOf, hasBit, orInto, setBit, wordsFor } from "./bits.js";
import type { Identity } from "./identities.js";
import { type ColumnMerge, type Growth, mergeColumns, remapRow, widened } from "./merge.js";
import { type RulePart, instanceKey, networkPolicyParts } from "./parts.js";
import type { PeerSets } from "./peers.js";
import type { PortClasses } from "./ports.js";
import { type ProfileMembers, policyUid } from "./profiles.js";
import type { TierAction, Tiers } from "./tiers.js";

/** Part codes (word 0 of a part): what the walk returns when the part matches (BUNDLE.md). */
export const PART_RULE = 0x40000000; // | rule id: a NetworkPolicy rule allowed
export const PART_TIER_ALLOW = 0xd0000000; // | tier rule id
export const PART_TIER_DENY = 0xe0000000; // | tier rule id
export const PART_TIER_PASS = 0xf0000000; // | tier rule id: on to NetworkPolicy (admin) or the default (baseline)
/** Tier rule ids must be below this (0x0fffffff with PASS would read as "invalid"). */
export const TIER_RULE_LIMIT = 0x0fffffff;
/** Bit of a profile's second PROFILE_PARTS word: NetworkPolicy isolates it. */
export const ISOLATED = 0x80000000;
/** Words per profile in PROFILE_PARTS: first, NP | ISOLATED, baseline, end, and the three stretches' union rows, 0. */
export const PROFILE_PARTS_WORDS = 8;

/** Direction codes in the rule table. */
export const DIRECTION_CODE: Readonly<Record<Direction, number>> = { ingress: 0, egress: 1 };

export interface Reasons {
  /** Rule id → [policy index, direction code, rule index]: 3 words per rule. */
  readonly rules: Uint32Array;
  readonly ruleCount: number;
  /** Per profile 8 words: its first part, first NetworkPolicy part (| ISOLATED), first baseline part, end (in parts, not words), the union reason row of each stretch, 0. */
  readonly profileParts: Uint32Array;
  /** Per part: its code (PART_*), portWords words of port classes, its row (portWords + 2 words); each profile's in rule order. */
  readonly parts: Uint32Array;
  readonly partCount: number;
  readonly portWords: number;
  /** Rows over reason classes. */
  readonly rows: readonly Uint32Array[];
  readonly merge: ColumnMerge;
}

interface Context {
  readonly peers: PeerSets;
  readonly ports: PortClasses;
  readonly tiers: Tiers;
}

/** Rule ids: policies in cluster order, each policy's ingress rules, then its egress rules. */
export function ruleIds(policies: readonly NetworkPolicy[]): { ids: Map<Rule, number>; table: Uint32Array } {
  const ids = new Map<Rule, number>();
  const table: number[] = [];
  policies.forEach((policy, p) => {
    for (const direction of ["ingress", "egress"] as const) {
      policy[direction].forEach((rule, r) => {
        ids.set(rule, ids.size);
        table.push(p, DIRECTION_CODE[direction], r);
      });
    }
  });
  return { ids, table: Uint32Array.from(table) };
}

/** A profile's rule instances in walk order: admin, from `np` NetworkPolicy, from `base` baseline. */
interface Walk {
  readonly list: readonly number[];
  readonly np: number;
  readonly base: number;
  readonly isolated: boolean;
  /** Union rows of the three stretches, once laid out (in the pool: live updates only). */
  unions?: number[];
}

/** A rule's parts for one target, as reason rows and the port classes each row holds for. */
interface Instance {
  /** The rule it is of: its part code is computed when laid out (rule ids follow the cluster's order). */
  readonly rule: Rule | AdminRule;
  readonly tier: TierAction | undefined;
  /** Reason row → port classes (a bitset). */
  readonly parts: Map<number, Uint32Array>;
  /** Fills `parts` from the current tables (again, when the peer space grew by evaluated classes). */
  readonly fill: () => void;
  /** Its parts are not made for the current tables yet. */
  stale: boolean;
}

/**
 * The rule instances of the profiles (each rule's parts for a target), their rows in one pool.
 * A compile lays them out once; live updates (incremental.ts) keep the table across changes:
 * `use` new tables (rows widen to a refined peer space, or instances are filled again when
 * classes were evaluated; new port classes move the port bits), then lay out the profiles again.
 */
export class ReasonTable {
  pool = new BitsetPool();
  private instances: Instance[] = [];
  private keys = new Map<string, number>();
  /** Per profile (live updates): its instances in walk order, where the NP and baseline ones start, and its stretches' union rows. */
  private walks: Walk[] = [];
  private ctx: Context;
  private portWords: number;
  private allPorts: Uint32Array;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.portWords = wordsFor(ctx.ports.count);
    this.allPorts = allOf(ctx.ports.count);
  }

  /**
   * Carries on with new tables. When the peer space grew (`growth`) by classes split off by new
   * sets only, every row takes its new classes' bits from their parents; when classes whose
   * membership changed came too, every instance is made again. When port classes were split
   * (`portParent`: the old class of each new one), each part keeps its row and its port bits move.
   */
  use(ctx: Context, change: { readonly growth?: Growth; readonly portParent?: Int32Array }): void {
    this.ctx = ctx;
    this.portWords = wordsFor(ctx.ports.count);
    this.allPorts = allOf(ctx.ports.count);
    const g = change.growth;
    if (g?.evaluated) {
      // Rows of evaluated classes come from the rules: each instance is filled again when laid out.
      this.pool = new BitsetPool();
      for (const instance of this.instances) instance.stale = true;
      for (const walk of this.walks) if (walk) walk.unions = undefined;
    } else if (g) {
      const pool = new BitsetPool();
      const map = this.pool.items.map((row) => pool.intern(widened(row, g)));
      this.pool = pool;
      for (const instance of this.instances) {
        const parts = [...instance.parts];
        instance.parts.clear();
        for (const [row, ports] of parts) instance.parts.set(map[row]!, ports);
      }
      for (const walk of this.walks) if (walk?.unions) walk.unions = walk.unions.map((u) => map[u]!);
    }
    const parent = change.portParent;
    if (!parent) return;
    for (const instance of this.instances) {
      if (instance.stale) continue; // filled over the new port classes when laid out
      for (const [row, ports] of instance.parts) {
        const next = new Uint32Array(this.portWords);
        for (let k = 0; k < parent.length; k++) if (hasBit(ports, parent[k]!)) setBit(next, k);
        instance.parts.set(row, next);
      }
    }
  }

  /** Each rule instance once: its parts, filled by `fill`. */
  private instance(key: string, rule: Rule | AdminRule, tier: TierAction | undefined, partsNow: () => readonly RulePart[]): number {
    let n = this.keys.get(key);
    if (n !== undefined) return n;
    n = this.instances.length;
    this.keys.set(key, n);
    const parts = new Map<number, Uint32Array>();
    const fill = () => {
      parts.clear();
      for (const part of partsNow()) {
        if (part.peers.every((w) => w === 0)) continue;
        const r = this.pool.intern(part.peers);
        let set = parts.get(r);
        if (!set) parts.set(r, (set = new Uint32Array(this.portWords)));
        if (part.ports === "all") set.set(this.allPorts);
        else for (const k of part.ports) setBit(set, k);
      }
    };
    fill();
    this.instances.push({ rule, tier, parts, fill, stale: false });
    return n;
  }

  private instanceOf(policy: NetworkPolicy, rule: Rule, direction: Direction, target: Identity): number {
    const named = rule.ports.some((p) => typeof p.port === "string");
    return this.instance(instanceKey(`${policyUid(rule)}`, direction, named, target), rule, undefined, () => networkPolicyParts(rule, policy, direction, target, this.ctx.peers, this.ctx.ports));
  }

  private tierInstanceOf(rule: AdminRule, direction: Direction, target: Identity): number {
    const named = rule.ports?.some((p) => p.kind === "named") ?? false;
    const { action } = this.ctx.tiers.partsOf(rule, direction, target);
    return this.instance(instanceKey(`t${policyUid(rule)}`, direction, named, target), rule, action, () => this.ctx.tiers.partsOf(rule, direction, target).parts);
  }

  /**
   * The reason tables of these profiles. `merge`: merge the peer classes (there are so many)
   * into reason classes that the parts' rows tell apart (a compile); without it, reason classes
   * are the peer classes (live updates: the numbers stay put). `alive`: profiles it says no of
   * get no parts (their policies are gone: no address uses them any more).
   */
  layout(cluster: Cluster, members: readonly ProfileMembers[], options: { readonly merge?: number; readonly alive?: (p: number) => boolean } = {}): Reasons {
    const { ids, table: rules } = ruleIds(cluster.policies);
    const ctx = this.ctx;
    /** Per profile: its instances in walk order, and where the NetworkPolicy and baseline ones start. */
    const profileInstances = members.map((m, p) => {
      if (options.alive && !options.alive(p)) return { list: [], np: 0, base: 0, isolated: m.policies.length > 0 };
      let walk = this.walks[p];
      if (!walk) {
        const list: number[] = [];
        for (const policy of m.admin) for (const rule of policy[m.direction]) list.push(this.tierInstanceOf(rule, m.direction, m.target));
        const np = list.length;
        for (const policy of m.policies) {
          for (const rule of policy[m.direction]) list.push(this.instanceOf(policy, rule, m.direction, m.target));
        }
        const base = list.length;
        // The baseline is walked only where NetworkPolicy does not isolate.
        if (m.policies.length === 0) for (const policy of m.baseline) for (const rule of policy[m.direction]) list.push(this.tierInstanceOf(rule, m.direction, m.target));
        walk = { list, np, base, isolated: m.policies.length > 0 };
        // Kept for the next layout where the rows stay (live updates' own pool; a compile's is merged once).
        if (options.merge === undefined) this.walks[p] = walk;
      }
      return walk;
    });
    const instances = this.instances;
    for (const { list } of profileInstances) {
      for (const n of list) {
        const instance = instances[n]!;
        if (!instance.stale) continue;
        instance.fill();
        instance.stale = false;
      }
    }
    const code = ({ rule, tier }: Instance): number => {
      if (tier === undefined) return (PART_RULE | ids.get(rule as Rule)!) >>> 0;
      const id = ctx.tiers.idOf(rule as AdminRule);
      return ((tier === "Allow" ? PART_TIER_ALLOW : tier === "Deny" ? PART_TIER_DENY : PART_TIER_PASS) | id) >>> 0;
    };

    let merge: ColumnMerge;
    let rows: BitsetPool;
    if (options.merge !== undefined) {
      merge = mergeColumns(this.pool.items, options.merge);
      rows = new BitsetPool();
      this.pool.items.forEach((r, i) => {
        // Rows distinct before the merge stay distinct (merged columns agree in every row): same numbers.
        if (rows.intern(remapRow(r, merge)) !== i) throw new Error("internal error: reason rows merged into one another");
      });
    } else {
      const count = ctx.peers.size;
      merge = { count, map: Int32Array.from({ length: count }, (_, q) => q) };
      rows = this.pool;
    }
    // Each stretch's union row: a far side outside it matches none of the stretch's parts, so the walk skips them.
    const union = (list: readonly number[]) => {
      const u = new Uint32Array(wordsFor(merge.count));
      for (const n of list) for (const row of instances[n]!.parts.keys()) orInto(u, rows.items[row]!);
      return rows.intern(u);
    };
    // Each profile's parts lie together, in rule order: the walk reads one run of memory.
    const portWords = this.portWords;
    const stride = portWords + 2;
    const profileParts = new Uint32Array(members.length * PROFILE_PARTS_WORDS);
    let partCount = 0;
    profileInstances.forEach((walk, p) => {
      const { list, np, base, isolated } = walk;
      const e = p * PROFILE_PARTS_WORDS;
      profileParts[e] = partCount;
      list.forEach((n, i) => {
        if (i === np) profileParts[e + 1] = partCount;
        if (i === base) profileParts[e + 2] = partCount;
        partCount += instances[n]!.parts.size;
      });
      if (np === list.length) profileParts[e + 1] = partCount;
      if (base === list.length) profileParts[e + 2] = partCount;
      profileParts[e + 1]! |= isolated ? ISOLATED : 0;
      profileParts[e + 3] = partCount;
      const unions = (walk.unions ??= [union(list.slice(0, np)), union(list.slice(np, base)), union(list.slice(base))]);
      profileParts.set(unions, e + 4);
    });
    const parts = new Uint32Array(partCount * stride);
    let at = 0;
    for (const { list } of profileInstances) {
      for (const n of list) {
        const c = code(instances[n]!);
        for (const [row, ports] of instances[n]!.parts) {
          parts[at * stride] = c;
          parts.set(ports, at * stride + 1);
          parts[at * stride + 1 + portWords] = row;
          at++;
        }
      }
    }
    return { rules, ruleCount: ids.size, profileParts, parts, partCount, portWords, rows: rows.items, merge };
  }
}

/** `peerClasses`: the count of peer classes after the peer-set merge (the space ofRule is in). */
export function buildReasons(cluster: Cluster, members: readonly ProfileMembers[], ctx: Context, peerClasses: number): Reasons & { readonly table: ReasonTable } {
  const table = new ReasonTable(ctx);
  return { ...table.layout(cluster, members, { merge: peerClasses }), table };
}
