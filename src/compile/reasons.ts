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
import type { Cluster, Direction, NetworkPolicy, Rule } from "../model/types.js";
import { BitsetPool, setBit, wordsFor } from "./bits.js";
import { type Identity, namedPortKey } from "./identities.js";
import { type ColumnMerge, mergeColumns, remapRow } from "./merge.js";
import type { PeerSets } from "./peers.js";
import { type PortClasses, classOfPort, classesOfRange } from "./ports.js";
import type { ProfileMembers } from "./profiles.js";

/** Direction codes in the rule table. */
export const DIRECTION_CODE: Readonly<Record<Direction, number>> = { ingress: 0, egress: 1 };

export interface Reasons {
  /** Rule id → [policy index, direction code, rule index]: 3 words per rule. */
  readonly rules: Uint32Array;
  readonly ruleCount: number;
  /** profiles + 1 offsets into parts (in parts, not words). */
  readonly profileParts: Uint32Array;
  /** Per part: its rule id, portWords words of port classes, its row (portWords + 2 words); each profile's in rule order. */
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
  const instances: { rule: number; parts: Map<number, Uint32Array> }[] = [];
  const profileInstances: number[][] = [];
  const allPorts = new Uint32Array(portWords);
  for (let k = 0; k < ctx.ports.count; k++) setBit(allPorts, k);

  const instanceOf = (policy: NetworkPolicy, rule: Rule, direction: Direction, target: Identity): number => {
    const id = ids.get(rule)!;
    const named = rule.ports.some((p) => typeof p.port === "string");
    // Ingress named ports resolve on the selected pod: the instance depends on its named ports.
    const key = direction === "ingress" && named ? `${id}:${JSON.stringify([...target.namedPorts])}` : `${id}`;
    let n = instanceKeys.get(key);
    if (n !== undefined) return n;
    n = instances.length;
    instanceKeys.set(key, n);
    const parts = new Map<number, Uint32Array>();
    const add = (classes: Iterable<number> | Uint32Array, row: Uint32Array) => {
      if (row.every((w) => w === 0)) return;
      const r = pool.intern(row);
      let set = parts.get(r);
      if (!set) parts.set(r, (set = new Uint32Array(portWords)));
      if (classes instanceof Uint32Array) for (let w = 0; w < portWords; w++) set[w]! |= classes[w]!;
      else for (const k of classes) setBit(set, k);
    };
    const peers = ctx.peers.ofRule(rule, policy);
    if (rule.ports.length === 0) add(allPorts, peers);
    for (const port of rule.ports) {
      if (typeof port.port !== "string") {
        const [from, to] = port.port === undefined ? [0, 65535] : [port.port, port.endPort ?? port.port];
        add(classesOfRange(ctx.ports, port.protocol, from, to), peers);
        continue;
      }
      const key = namedPortKey(port.port, port.protocol);
      if (direction === "ingress") {
        add((target.namedPorts.get(key) ?? []).map((n) => classOfPort(ctx.ports, port.protocol, n)), peers);
        continue;
      }
      for (const [number, destinations] of ctx.peers.named.get(key) ?? []) {
        add([classOfPort(ctx.ports, port.protocol, number)], peers.map((w, i) => w & destinations[i]!));
      }
    }
    instances.push({ rule: id, parts });
    return n;
  };

  for (const m of members) {
    const list: number[] = [];
    for (const i of m.policies) {
      const policy = cluster.policies[i]!;
      for (const rule of policy[m.direction]) list.push(instanceOf(policy, rule, m.direction, m.target));
    }
    profileInstances.push(list);
  }

  const merge = mergeColumns(pool.items, peerClasses);
  const rows = pool.items.map((r) => remapRow(r, merge));
  // Each profile's parts lie together, in rule order: the walk reads one run of memory.
  const stride = portWords + 2;
  const profileParts = new Uint32Array(members.length + 1);
  let partCount = 0;
  profileInstances.forEach((list, p) => {
    profileParts[p] = partCount;
    for (const n of list) partCount += instances[n]!.parts.size;
  });
  profileParts[members.length] = partCount;
  const parts = new Uint32Array(partCount * stride);
  let at = 0;
  for (const list of profileInstances) {
    for (const n of list) {
      for (const [row, ports] of instances[n]!.parts) {
        parts[at * stride] = instances[n]!.rule;
        parts.set(ports, at * stride + 1);
        parts[at * stride + 1 + portWords] = row;
        at++;
      }
    }
  }
  return { rules, ruleCount: ids.size, profileParts, parts, partCount, portWords, rows, merge };
}
