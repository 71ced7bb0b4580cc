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
import { BitsetPool, orInto, setBit, wordsFor } from "./bits.js";
import type { Identity } from "./identities.js";
import { type ColumnMerge, mergeColumns, remapRow } from "./merge.js";
import { instanceKey, networkPolicyParts } from "./parts.js";
import type { PeerSets } from "./peers.js";
import type { PortClasses } from "./ports.js";
import type { ProfileMembers } from "./profiles.js";
import type { Tiers } from "./tiers.js";

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

/** `peerClasses`: the count of peer classes after the peer-set merge (the space ofRule is in). */
export function buildReasons(cluster: Cluster, members: readonly ProfileMembers[], ctx: Context, peerClasses: number): Reasons {
  const { ids, table: rules } = ruleIds(cluster.policies);
  const portWords = wordsFor(ctx.ports.count);
  const pool = new BitsetPool();
  const instanceKeys = new Map<string, number>();
  const instances: { code: number; parts: Map<number, Uint32Array> }[] = [];
  /** Per profile: its instances in walk order, and where the NetworkPolicy and baseline ones start. */
  const profileInstances: { list: number[]; np: number; base: number; isolated: boolean }[] = [];
  const addTo = (parts: Map<number, Uint32Array>) => (classes: Iterable<number> | Uint32Array, row: Uint32Array) => {
    if (row.every((w) => w === 0)) return;
    const r = pool.intern(row);
    let set = parts.get(r);
    if (!set) parts.set(r, (set = new Uint32Array(portWords)));
    if (classes instanceof Uint32Array) for (let w = 0; w < portWords; w++) set[w]! |= classes[w]!;
    else for (const k of classes) setBit(set, k);
  };
  const allPorts = new Uint32Array(portWords);
  for (let k = 0; k < ctx.ports.count; k++) setBit(allPorts, k);

  /** Each rule instance once: its parts, filled by `fill`, and the code its parts return. */
  const instance = (key: string, code: () => number, fill: (add: ReturnType<typeof addTo>) => void): number => {
    let n = instanceKeys.get(key);
    if (n !== undefined) return n;
    n = instances.length;
    instanceKeys.set(key, n);
    const parts = new Map<number, Uint32Array>();
    fill(addTo(parts));
    instances.push({ code: code() >>> 0, parts });
    return n;
  };

  const instanceOf = (policy: NetworkPolicy, rule: Rule, direction: Direction, target: Identity): number => {
    const id = ids.get(rule)!;
    const named = rule.ports.some((p) => typeof p.port === "string");
    return instance(instanceKey(`${id}`, direction, named, target), () => PART_RULE | id, (add) => {
      for (const part of networkPolicyParts(rule, policy, direction, target, ctx.peers, ctx.ports)) add(part.ports === "all" ? allPorts : part.ports, part.peers);
    });
  };

  const tierInstanceOf = (rule: AdminRule, direction: Direction, target: Identity): number => {
    const id = ctx.tiers.idOf(rule);
    const named = rule.ports?.some((p) => p.kind === "named") ?? false;
    const { action, parts } = ctx.tiers.partsOf(rule, direction, target);
    const kind = action === "Allow" ? PART_TIER_ALLOW : action === "Deny" ? PART_TIER_DENY : PART_TIER_PASS;
    return instance(instanceKey(`t${id}`, direction, named, target), () => kind | id, (add) => {
      for (const part of parts) add(part.ports === "all" ? allPorts : part.ports, part.peers);
    });
  };

  for (const m of members) {
    const list: number[] = [];
    for (const policy of m.admin) for (const rule of policy[m.direction]) list.push(tierInstanceOf(rule, m.direction, m.target));
    const np = list.length;
    for (const policy of m.policies) {
      for (const rule of policy[m.direction]) list.push(instanceOf(policy, rule, m.direction, m.target));
    }
    const base = list.length;
    // The baseline is walked only where NetworkPolicy does not isolate.
    if (m.policies.length === 0) for (const policy of m.baseline) for (const rule of policy[m.direction]) list.push(tierInstanceOf(rule, m.direction, m.target));
    profileInstances.push({ list, np, base, isolated: m.policies.length > 0 });
  }

  const merge = mergeColumns(pool.items, peerClasses);
  const rows = new BitsetPool();
  pool.items.forEach((r, i) => {
    // Rows distinct before the merge stay distinct (merged columns agree in every row): same numbers.
    if (rows.intern(remapRow(r, merge)) !== i) throw new Error("internal error: reason rows merged into one another");
  });
  // Each stretch's union row: a far side outside it matches none of the stretch's parts, so the walk skips them.
  const union = (list: readonly number[]) => {
    const u = new Uint32Array(wordsFor(merge.count));
    for (const n of list) for (const row of instances[n]!.parts.keys()) orInto(u, rows.items[row]!);
    return rows.intern(u);
  };
  // Each profile's parts lie together, in rule order: the walk reads one run of memory.
  const stride = portWords + 2;
  const profileParts = new Uint32Array(members.length * PROFILE_PARTS_WORDS);
  let partCount = 0;
  profileInstances.forEach(({ list, np, base, isolated }, p) => {
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
    profileParts[e + 4] = union(list.slice(0, np));
    profileParts[e + 5] = union(list.slice(np, base));
    profileParts[e + 6] = union(list.slice(base));
  });
  const parts = new Uint32Array(partCount * stride);
  let at = 0;
  for (const { list } of profileInstances) {
    for (const n of list) {
      for (const [row, ports] of instances[n]!.parts) {
        parts[at * stride] = instances[n]!.code;
        parts.set(ports, at * stride + 1);
        parts[at * stride + 1 + portWords] = row;
        at++;
      }
    }
  }
  return { rules, ruleCount: ids.size, profileParts, parts, partCount, portWords, rows: rows.items, merge };
}
