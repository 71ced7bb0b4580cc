/**
 * Live compiles (engine.apply): the tables of a changed cluster made from those of the cluster
 * before, recomputing what the change touches.
 *
 * A compile merges peer classes into as few as its rows need, and numbers everything afresh;
 * a change of one policy would renumber every row and every pod address. Live updates instead
 * keep the numbers: the peer space of the compile they start from (its classes after the
 * peer-set merge, which rows and reason parts are made of) is only ever *refined*, and
 * profiles, rows and classes keep their numbers while new ones are added after them:
 *
 * - a new peer set (a policy's new peer, an admin policy's) splits the classes it cuts: the
 *   part inside becomes a new class, in every other set as its parent, so every existing row
 *   takes its parent's bit;
 * - a class whose membership changed (its namespace relabelled under a namespaceSelector) moves
 *   to a class with the same sets if its root ever moved to one (a label set back), else to a
 *   new class; a new identity (a pod with labels no pod had) and a known identity at a new CIDR
 *   class get a class each; rows of existing profiles are evaluated on those classes only;
 * - a new ipBlock (an admin network) cuts the CIDR classes: an original class (identity, CIDR
 *   class) whose CIDR class became one class follows it, the others are retired and their
 *   addresses get classes inside the old one's live class, which the block's set then splits;
 * - new port cuts split port classes (every profile's cell copied);
 * - identities the change can move (in the namespace of a NetworkPolicy added or removed, held
 *   by the subject of an admin policy added or removed, relabelled when there are tiers, new)
 *   get their profiles again, made when new; a profile whose policy is gone is never used again;
 * - the address tables are edited: only pods gone, new, or whose classes or profiles changed.
 *
 * The reason classes are the peer classes (no merge), so one refinement serves both. Classes,
 * profiles and rows no pod uses any more stay until the tables have grown `GROWTH` times past
 * the compile they started from: then (and for node changes while an admin policy has a `nodes`
 * peer, and named ports at numbers no pod had them at) `update` says undefined and the caller
 * compiles the cluster whole.
 */
import type { Cluster, IPBlock, Labels, Pod } from "../model/types.js";
import { BitsetPool, flatRows, orInto, wordsFor } from "./bits.js";
import { type CidrClasses, blockKey, classOfAddress, extendCidr } from "./cidr.js";
import type { AddressEntry } from "./hash.js";
import { type AddressTables, buildAddressTables, insertEntries, removeAddresses, roomFor, slotWordOf } from "./hash.js";
import { type Identity, identityKeyOf, namedPortsOf } from "./identities.js";
import { type AddressState, type CompileStats, assemble, namesSection, placer } from "./index.js";
import { type ColumnMerge, type Growth, growthOf, mergeColumns, widened } from "./merge.js";
import { type Member, type PeerClasses, type PeerSets, adminBlocks } from "./peers.js";
import { type PortClasses, portClasses, portClassesOf } from "./ports.js";
import type { ProfileTable } from "./profiles.js";
import type { ReasonTable } from "./reasons.js";
import { TIER_RULE_LIMIT } from "./reasons.js";
import { Tiers } from "./tiers.js";
import { type Trie, buildTrie, flatNodes } from "./trie.js";

/** What a compile leaves for live updates to carry on from. */
export interface Seed {
  readonly cluster: Cluster;
  readonly idents: readonly Identity[];
  readonly identityOf: ReadonlyMap<string, number>;
  readonly ofPod: ReadonlyMap<Pod, number>;
  readonly cidr: CidrClasses;
  /** The compile's peer classes (identity, CIDR class): live updates' original classes. */
  readonly classes: PeerClasses;
  /** In the merged space: its classes are the live classes. */
  readonly peers: PeerSets;
  /** Merged class of each original class. */
  readonly sOf: Int32Array;
  readonly ports: PortClasses;
  readonly profiles: ProfileTable;
  readonly egressOf: Uint32Array;
  readonly ingressOf: Uint32Array;
  readonly reasons: ReasonTable;
  readonly tiers: Tiers;
  readonly packSlots: boolean;
}

/** How far live updates let the tables grow past their compile before compiling whole again. */
export const GROWTH = 2;

export interface LiveCompiled {
  readonly bytes: Uint8Array;
  readonly stats: CompileStats;
  readonly addresses: AddressState;
  /** Milliseconds each stage took (identities, ports, classes, profiles, reasons, addresses, bundle). */
  readonly stages: Readonly<Record<string, number>>;
  /** Makes this the state the next update starts from (call once the engine took the bytes). */
  commit(): void;
}

/** Original classes: (identity, CIDR class) of pod addresses and (-1, CIDR class) outside; numbers never reused. */
interface Originals {
  readonly identityOf: number[];
  readonly cidrClassOf: number[];
  readonly ofKey: Map<string, number>;
  readonly outsideOf: Int32Array;
  readonly ofIdentity: number[][];
}

interface State {
  readonly cluster: Cluster;
  /** The cluster's tiers (subjects of admin policies removed by the next update are asked of them). */
  readonly tiers: Tiers;
  readonly cidr: CidrClasses;
  /** The trie with a leaf per CIDR class: OUTSIDE says each one's class. */
  readonly trie: OutsideTrie;
  /** Identity of each pod of the cluster, in order, and the original class of each of its addresses. */
  readonly podIdentity: readonly number[];
  readonly podOriginals: readonly (readonly number[])[];
  /** The address tables made last (undefined: none yet, the first update makes them whole), and how many addresses they hold. */
  readonly tables: AddressTables | undefined;
  readonly counts: { readonly 4: number; readonly 6: number };
  readonly packed: boolean;
  readonly idents: readonly Identity[];
  readonly identityOf: ReadonlyMap<string, number>;
  readonly originals: Originals;
  /** Live class of each original class. */
  readonly sOf: Int32Array;
  /** Original classes of each live class (empty once all moved on). */
  readonly membersOf: readonly (readonly number[])[];
  /**
   * Classes that original classes moved to (namespace labels changed) from classes of each
   * root: a later move that would make a class with the same sets joins one instead (a label
   * set back, or to a state some namespace had), and nothing is evaluated again.
   */
  readonly movedTo: ReadonlyMap<number, readonly number[]>;
  /** The root of each class: its own number, or for a class made by a move the root of the class moved from. */
  readonly rootOf: readonly number[];
  readonly peers: PeerSets;
  readonly ports: PortClasses;
  readonly egressOf: Uint32Array;
  readonly ingressOf: Uint32Array;
}

const identityKeys = new WeakMap<Pod, string>();
function podIdentityKey(pod: Pod): string {
  let key = identityKeys.get(pod);
  if (key === undefined) identityKeys.set(pod, (key = identityKeyOf(pod)));
  return key;
}

/**
 * The slot word and reason class of a column over the peer sets: of a class with that column
 * (any: all decide alike). The columns of the classes are made at the first question.
 */
function columnsOf(peers: PeerSets, count: number, slotWord: (s: number) => number): (column: Uint32Array) => { word: number; reason: number } | undefined {
  let merge: ColumnMerge | undefined;
  let classOf: Int32Array | undefined;
  return (column) => {
    if (!merge) {
      merge = mergeColumns(peers.basis(), count);
      classOf = new Int32Array(merge.count).fill(-1);
      for (let s = count - 1; s >= 0; s--) classOf[merge.map[s]!] = s;
    }
    const b = merge.classOfColumn!(column);
    if (b < 0) return undefined;
    const s = classOf![b]!;
    return { word: slotWord(s), reason: s };
  };
}

/**
 * Identities, original classes and pods after a change: namespace labels as they are now
 * (`touched`: the identities whose labels changed), new identities for pods with labels no pod
 * had, original classes under new CIDR classes, each pod's identity and original classes.
 * Undefined for a pod with a named port at a number no set has (compile whole then).
 */
function identitiesAfter(old: State, cluster: Cluster, cidr: CidrClasses, cidrParent: Int32Array | undefined, split: Uint8Array) {
  // Identities: namespace labels as they are now; new ones for pods with labels no pod had.
  const nsLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  const idents = [...old.idents];
  const touched: number[] = [];
  idents.forEach((id, i) => {
    const labels = nsLabels.get(id.namespace);
    if (labels !== undefined && !sameLabels(labels, id.namespaceLabels)) {
      idents[i] = { ...id, namespaceLabels: labels };
      touched.push(i);
    }
  });
  let identityOf = old.identityOf;
  const firstNew = idents.length;
  // Original classes: a number keeps its meaning. With new CIDR classes, each original class
  // whose CIDR class became one class follows it; those of a CIDR class the new blocks cut are
  // retired, and their addresses get classes of the pieces they lie in (`fromOriginal`: the
  // class each new original class lies in, -1 for none).
  const o0 = old.originals;
  const known = o0.identityOf.length;
  let originals = o0;
  const mutable = (): Originals => {
    if (originals === o0) originals = { identityOf: [...o0.identityOf], cidrClassOf: [...o0.cidrClassOf], ofKey: new Map(o0.ofKey), outsideOf: o0.outsideOf, ofIdentity: [...o0.ofIdentity] };
    return originals;
  };
  const fromOriginal: number[] = [];
  const original = (i: number, c: number, from: number): number => {
    const k = `${i}:${c}`;
    let o = originals.ofKey.get(k);
    if (o === undefined) {
      const g = mutable();
      o = g.identityOf.length;
      g.identityOf.push(i);
      g.cidrClassOf.push(c);
      g.ofKey.set(k, o);
      if (i >= 0) g.ofIdentity[i] = [...(g.ofIdentity[i] ?? []), o];
      fromOriginal.push(from);
    }
    return o;
  };
  const retired = new Uint8Array(cidrParent ? known : 0);
  if (cidrParent) {
    // (An original class retired before has CIDR class -1 and is in no list: it stays so.)
    const cidrClassOf = [...o0.cidrClassOf];
    const ofKey = new Map(o0.ofKey);
    const ofIdentity = [...o0.ofIdentity];
    o0.cidrClassOf.forEach((c, o) => {
      if (c < 0 || split[c] !== 1) return;
      retired[o] = 1;
      cidrClassOf[o] = -1;
      const i = o0.identityOf[o]!;
      ofKey.delete(`${i}:${c}`);
      if (i >= 0) ofIdentity[i] = ofIdentity[i]!.filter((x) => x !== o);
    });
    originals = { identityOf: [...o0.identityOf], cidrClassOf, ofKey, outsideOf: new Int32Array(cidr.classCount), ofIdentity };
    const outsideOf = originals.outsideOf as Int32Array;
    cidrParent.forEach((p, c) => (outsideOf[c] = split[p] === 1 ? original(-1, c, o0.outsideOf[p]!) : o0.outsideOf[p]!));
  }
  // Pods: their identities and original classes, carried over for pods there before (found by
  // their place in the last cluster when the pods changed).
  const samePods = cluster.pods.length === old.cluster.pods.length && cluster.pods.every((p, n) => p === old.cluster.pods[n]);
  let podIdentity = old.podIdentity as number[];
  let podOriginals = old.podOriginals as (readonly number[])[];
  /** Each pod's place in the last cluster (undefined: new). */
  let before: (n: number) => number | undefined = (n) => n;
  /** Per pod of the last cluster: still there? */
  const kept = new Uint8Array(old.cluster.pods.length).fill(samePods ? 1 : 0);
  if (!samePods || cidrParent) {
    if (!samePods) {
      const index = new Map(old.cluster.pods.map((p, n) => [p, n]));
      before = (n) => index.get(cluster.pods[n]!);
      podIdentity = [];
    }
    podOriginals = [];
    for (const [n, pod] of cluster.pods.entries()) {
      const n0 = before(n);
      if (n0 !== undefined) kept[n0] = 1;
      let i = n0 === undefined ? undefined : old.podIdentity[n0];
      if (i === undefined) {
        const key = podIdentityKey(pod);
        i = identityOf.get(key);
        if (i === undefined) {
          const namedPorts = namedPortsOf(pod.ports);
          const id: Identity = { namespace: pod.namespace, namespaceLabels: nsLabels.get(pod.namespace)!, labels: pod.labels, namedPorts, pods: [] };
          if (!old.peers.knowsNamedPorts(id)) return undefined; // a named port number no set has: the port and peer sets change
          if (identityOf === old.identityOf) identityOf = new Map(identityOf);
          i = idents.length;
          (identityOf as Map<string, number>).set(key, i);
          idents.push(id);
          mutable().ofIdentity[i] = [];
        }
      }
      if (!samePods) podIdentity[n] = i; // (same pods: the committed array, unchanged)
      const prev = n0 === undefined ? undefined : old.podOriginals[n0]!;
      if (prev && !prev.some((o) => retired[o] === 1)) {
        podOriginals[n] = prev;
        continue;
      }
      const identity = i;
      podOriginals[n] = pod.ips.map((ip, k) => (prev && retired[prev[k]!] !== 1 ? prev[k]! : original(identity, classOfAddress(cidr, ip), prev ? prev[k]! : -1)));
    }
  }
  return { idents, touched, identityOf, firstNew, originals, known, fromOriginal, retired, podIdentity, podOriginals, before, kept };
}

/** What the address tables of a live compile are made from. */
interface AddressInputs {
  readonly cluster: Cluster;
  readonly podIdentity: readonly number[];
  readonly podOriginals: readonly (readonly number[])[];
  /** Each pod's place in the last cluster (undefined: new); and per pod of the last cluster, whether it is still there. */
  readonly before: (n: number) => number | undefined;
  readonly kept: Uint8Array;
  readonly sOf: Int32Array;
  readonly egressOf: Uint32Array;
  readonly ingressOf: Uint32Array;
  readonly packed: boolean;
  readonly slotOfClass: (c: number) => number;
}

/**
 * Addresses: each pod's from its original classes and its identity's profiles. The tables of the
 * last update are edited — pods gone out, pods new or whose entries changed in — or, the first
 * time, when packing changed or a family would be more than half full, made whole. `entriesOf`:
 * the pods written (all of them unless `partial`).
 */
function addressTablesAfter(old: State, x: AddressInputs): { addresses: AddressTables; entriesOf: Map<Pod, AddressEntry[]>; counts: { 4: number; 6: number }; partial: boolean } {
  const { cluster, podIdentity, podOriginals, before, kept, sOf, egressOf, ingressOf, packed, slotOfClass } = x;
  const entriesOf = new Map<Pod, AddressEntry[]>();
  const entries = (n: number): AddressEntry[] => {
    const i = podIdentity[n]!;
    const origs = podOriginals[n]!;
    return cluster.pods[n]!.ips.map((ip, k) => ({ ip, value: [slotOfClass(sOf[origs[k]!]!), egressOf[i]!, ingressOf[i]!], reason: sOf[origs[k]!]! }));
  };
  const changedIdentity = (i: number) => i >= old.egressOf.length || egressOf[i] !== old.egressOf[i] || ingressOf[i] !== old.ingressOf[i];
  // A pod moved when one of its addresses is in another class than before (a pod not there before: new).
  const moved = (n: number) => {
    const n0 = before(n);
    if (n0 === undefined) return true;
    const prev = old.podOriginals[n0]!;
    return podOriginals[n]!.some((o, k) => sOf[o] !== old.sOf[prev[k]!]);
  };
  const gone = old.cluster.pods.filter((_, n0) => kept[n0] !== 1);
  const counts = { 4: old.counts[4], 6: old.counts[6] };
  for (const pod of gone) for (const ip of pod.ips) counts[ip.family]--;
  cluster.pods.forEach((pod, n) => {
    if (before(n) === undefined) for (const ip of pod.ips) counts[ip.family]++;
  });
  let addresses: AddressTables;
  const t0 = old.tables;
  if (t0 === undefined || packed !== old.packed || !roomFor(t0, counts)) {
    cluster.pods.forEach((pod, n) => entriesOf.set(pod, entries(n)));
    addresses = buildAddressTables([...entriesOf.values()].flat(), packed);
    counts[4] = counts[6] = 0;
    for (const pod of cluster.pods) for (const ip of pod.ips) counts[ip.family]++;
  } else {
    addresses = { hash4: t0.hash4.slice(), hash6: t0.hash6.slice(), reasons4: t0.reasons4.slice(), reasons6: t0.reasons6.slice() };
    removeAddresses(addresses, gone.flatMap((p) => p.ips));
    cluster.pods.forEach((pod, n) => {
      if (pod.ips.length > 0 && (changedIdentity(podIdentity[n]!) || moved(n))) entriesOf.set(pod, entries(n));
    });
    insertEntries(addresses, [...entriesOf.values()].flat());
  }
  return { addresses, entriesOf, counts, partial: t0 !== undefined && entriesOf.size < cluster.pods.length };
}

/** Port classes cut at `more`'s cuts too, and the old class of each (undefined when no class was cut). */
function withCuts(old: PortClasses, more: PortClasses): { ports: PortClasses; portParent?: Int32Array } {
  const ports = portClassesOf(old.cuts.map((c, p) => [...new Set([...c, ...more.cuts[p]!])]));
  if (ports.count === old.count) return { ports: old };
  const portParent = new Int32Array(ports.count);
  ports.cuts.forEach((c, p) => {
    const oldCuts = old.cuts[p]!;
    let q = 0;
    c.forEach((start, k) => {
      while (q + 1 < oldCuts.length && oldCuts[q + 1]! <= start) q++;
      portParent[ports.base[p]! + k] = old.base[p]! + q;
    });
  });
  return { ports, portParent };
}

/** A profile's cells over split port classes: each new class has its old class's row. */
function remapCells(cells: Uint32Array, parent: Int32Array): Uint32Array {
  const out = new Uint32Array(parent.length);
  for (let k = 0; k < parent.length; k++) out[k] = cells[parent[k]!]!;
  return out;
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

export class LiveCompiler {
  private state: State;
  private readonly profiles: ProfileTable;
  private readonly reasons: ReasonTable;
  private readonly packSlots: boolean;
  private readonly limits: { readonly classes: number; readonly profiles: number; readonly rows: number };
  /** The NAMES section made last, and what it was made of. */
  private names?: { readonly policies: readonly object[]; readonly profiles: number; readonly words: Uint32Array };

  /** NAMES: made again only when the policies (of any tier) or the profiles changed. */
  private namesOf(cluster: Cluster, rules: Uint32Array, tiers: Tiers): Uint32Array {
    const policies = [...cluster.policies, ...(cluster.adminPolicies ?? [])];
    const last = this.names;
    if (last && last.profiles === this.profiles.count && last.policies.length === policies.length && policies.every((p, i) => p === last.policies[i])) return last.words;
    const words = namesSection(cluster, rules, this.profiles.members, tiers);
    this.names = { policies, profiles: this.profiles.count, words };
    return words;
  }

  constructor(seed: Seed) {
    const c = seed.classes;
    const membersOf: number[][] = Array.from({ length: seed.peers.size }, () => []);
    seed.sOf.forEach((s, o) => membersOf[s]!.push(o));
    this.state = {
      cluster: seed.cluster,
      tiers: seed.tiers,
      cidr: seed.cidr,
      trie: outsideTrie(seed.cidr),
      podIdentity: seed.cluster.pods.map((p) => seed.ofPod.get(p)!),
      podOriginals: seed.cluster.pods.map((pod) => pod.ips.map((ip) => c.ofAddress.get(ip.text)!)),
      tables: undefined, // the first update numbers every address again (the compile merged classes further)
      counts: { 4: 0, 6: 0 },
      packed: false,
      idents: seed.idents,
      identityOf: seed.identityOf,
      originals: { identityOf: [...c.identityOf], cidrClassOf: [...c.cidrClassOf], ofKey: new Map(c.ofKey), outsideOf: c.outsideOf, ofIdentity: c.ofIdentity.map((l) => [...l]) },
      sOf: seed.sOf,
      membersOf,
      movedTo: new Map(),
      rootOf: Array.from({ length: seed.peers.size }, (_, s) => s),
      peers: seed.peers,
      ports: seed.ports,
      egressOf: seed.egressOf,
      ingressOf: seed.ingressOf,
    };
    this.profiles = seed.profiles;
    this.reasons = seed.reasons;
    this.packSlots = seed.packSlots;
    this.limits = { classes: GROWTH * seed.peers.size + 256, profiles: GROWTH * seed.profiles.count + 256, rows: GROWTH * seed.profiles.rows.items.length + 256 };
  }

  /**
   * The tables of `cluster`, made from the last committed state; undefined when the change is
   * one live compiles do not make (nodes a `nodes` peer reads, a named port at a number no pod had it at, more tier
   * rules than a bundle holds) or the tables have grown too far: compile it whole then.
   * Changes nothing the committed state holds until commit; after an update that is not
   * committed (or said undefined), the compiler must not be used again.
   */
  update(cluster: Cluster): LiveCompiled | undefined {
    const stages: Record<string, number> = {};
    let last = performance.now();
    const lap = (stage: string) => {
      const now = performance.now();
      stages[stage] = now - last;
      last = now;
    };
    const old = this.state;
    // Nodes matter only as the addresses of admin policies' `nodes` peers: a change of them
    // while such a peer exists compiles whole; else they change nothing in the tables.
    const nodes = cluster.nodes ?? [];
    const oldNodes = old.cluster.nodes ?? [];
    const nodesPeer = (list: Cluster["adminPolicies"]) => (list ?? []).some((p) => [...p.ingress, ...p.egress].some((r) => r.peers.some((x) => x.kind === "nodes")));
    if ((nodes.length !== oldNodes.length || nodes.some((n, k) => n !== oldNodes[k])) && (nodesPeer(old.cluster.adminPolicies) || nodesPeer(cluster.adminPolicies))) return undefined;
    // Policies: which are new (a changed policy is a new object) and which are gone.
    const had = new Set<object>([...old.cluster.policies, ...(old.cluster.adminPolicies ?? [])]);
    const now = new Set<object>([...cluster.policies, ...(cluster.adminPolicies ?? [])]);
    const added = cluster.policies.filter((p) => !had.has(p));
    const removed = old.cluster.policies.filter((p) => !now.has(p));
    const addedAdmin = (cluster.adminPolicies ?? []).filter((p) => !had.has(p));
    const removedAdmin = (old.cluster.adminPolicies ?? []).filter((p) => !now.has(p));
    // New ipBlocks (and admin networks, nodes' addresses): CIDR classes cut under them (each new class inside an old one, its parent).
    const newBlocks = new Map<string, IPBlock>();
    const blocks = [...added.flatMap((p) => [...p.ingress, ...p.egress].flatMap((rule) => rule.peers.flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : [])))), ...adminBlocks(addedAdmin, nodes)];
    for (const b of blocks) if (!old.cidr.blockIndex.has(blockKey(b))) newBlocks.set(blockKey(b), b);
    const extended = newBlocks.size === 0 ? undefined : extendCidr(old.cidr, [...newBlocks.values()]);
    const cidr = extended?.cidr ?? old.cidr;
    const cidrParent = extended?.parent;
    /** Old CIDR classes the new blocks cut in several (the others keep their numbers). */
    const split = new Uint8Array(old.cidr.classCount);
    cidrParent?.forEach((p, c) => {
      if (c !== p) split[p] = 1;
    });

    const after = identitiesAfter(old, cluster, cidr, cidrParent, split);
    if (!after) return undefined;
    const { idents, touched, identityOf, firstNew, originals, known, fromOriginal, retired, podIdentity, podOriginals, before, kept } = after;

    lap("identities");
    // Port classes: the cuts of new policies added (a cut no longer used stays: classes only split).
    const { ports, portParent } = withCuts(old.ports, portClasses(added, [], addedAdmin));

    lap("ports");
    // The live classes refined: classes whose sets changed move to new classes.
    const oldCount = old.peers.size;
    const sOf = new Int32Array(originals.identityOf.length);
    // Member lists are replaced, never changed: the committed state keeps its own.
    const lists: (readonly number[])[] = [...old.membersOf];
    const parent: number[] = [];
    /** Per new class: in every old set as its parent (split off by a new set only), so old rows copy its parent's bit. */
    const exact: boolean[] = [];
    const movedTo = new Map(old.movedTo);
    const rootOf = [...old.rootOf];
    const newClass = (p: number, members: number[], same = false): void => {
      lists.push(members);
      parent.push(p);
      exact.push(same);
      rootOf.push(lists.length - 1);
      for (const o of members) sOf[o] = lists.length - 1;
    };
    const take = (s: number, gone: ReadonlySet<number>) => {
      lists[s] = lists[s]!.filter((o) => !gone.has(o));
    };
    sOf.set(old.sOf);
    // Retired original classes leave their classes; new ones join the class of the one they lie
    // in (same sets but the new blocks', whose sets split them next) or get a class each.
    const out = new Map<number, Set<number>>();
    retired.forEach((r, o) => {
      if (r === 1) out.set(old.sOf[o]!, (out.get(old.sOf[o]!) ?? new Set()).add(o));
    });
    for (const [c, gone] of out) take(c, gone);
    const joins = new Map<number, number[]>();
    for (let o = known; o < sOf.length; o++) {
      const from = fromOriginal[o - known]!;
      if (from < 0) {
        newClass(-1, [o]);
        continue;
      }
      sOf[o] = old.sOf[from]!;
      const list = joins.get(sOf[o]!);
      if (list) list.push(o);
      else joins.set(sOf[o]!, [o]);
    }
    for (const [c, more] of joins) lists[c] = [...lists[c]!, ...more];
    // Namespaces relabelled: their classes whose membership in a set changed move, grouped by parent and new answers.
    const dependent = touched.length > 0 ? old.peers.namespaceDependent() : new Map<string, Member>();
    const evaluate = new Set(dependent.keys());
    if (dependent.size > 0) {
      const groups = new Map<string, number[]>();
      for (const i of touched) {
        for (const o of originals.ofIdentity[i]!) {
          if (retired[o] === 1) continue;
          const s = sOf[o]!;
          if (s >= oldCount) continue; // new: a class of its own already, every set asked of it
          let answers = "";
          let moved = false;
          for (const [key, member] of dependent) {
            const inSet = member(idents[i], originals.cidrClassOf[o]!);
            answers += inSet ? "1" : "0";
            if (inSet !== old.peers.holds(key, s)) moved = true;
          }
          if (!moved) continue;
          const k = `${s}:${answers}`;
          const g = groups.get(k);
          if (g) g.push(o);
          else groups.set(k, [o]);
        }
      }
      const keys = [...dependent.keys()];
      for (const [k, members] of groups) {
        const s = Number(k.slice(0, k.indexOf(":")));
        const answers = new Map(keys.map((key, n) => [key, k[k.indexOf(":") + 1 + n] === "1"]));
        const root = rootOf[s]!;
        const target = [root, ...(movedTo.get(root) ?? [])].find((c) => c !== s && c < oldCount && old.peers.sameColumn(c, s, answers));
        take(s, new Set(members));
        if (target !== undefined) {
          lists[target] = [...lists[target]!, ...members];
          for (const o of members) sOf[o] = target;
          continue;
        }
        newClass(s, members);
        rootOf[lists.length - 1] = root;
        movedTo.set(root, [...(movedTo.get(root) ?? []), lists.length - 1]);
      }
    }
    // New sets: each splits the classes it cuts (the part inside becomes a new class).
    const addedSets = new Map<string, Member>();
    const addedBlocks = new Map<string, readonly IPBlock[]>();
    const addSet = (key: string, member: Member, blocks: readonly IPBlock[] | undefined) => {
      addedSets.set(key, member);
      if (blocks) addedBlocks.set(key, blocks);
      const count = lists.length;
      for (let s = 0; s < count; s++) {
        const members = lists[s]!;
        if (members.length < 2) continue;
        const inside = members.filter((o) => member(originals.identityOf[o]! < 0 ? undefined : idents[originals.identityOf[o]!], originals.cidrClassOf[o]!));
        if (inside.length === 0 || inside.length === members.length) continue;
        take(s, new Set(inside));
        if (s < oldCount) newClass(s, inside, true);
        else newClass(parent[s - oldCount]!, inside, exact[s - oldCount]);
      }
    };
    for (const p of added) {
      for (const rule of [...p.ingress, ...p.egress]) {
        for (const peer of rule.peers) {
          const { key, member } = old.peers.peerOf(peer, p, cidr);
          if (old.peers.has(key) || addedSets.has(key)) continue;
          addSet(key, member, peer.ipBlock ? [peer.ipBlock] : undefined);
        }
      }
    }
    for (const p of addedAdmin) {
      for (const rule of [...p.ingress, ...p.egress]) {
        for (const peer of rule.peers) {
          const found = old.peers.adminPeerOf(peer, cidr);
          if (!found || old.peers.has(found.key) || addedSets.has(found.key)) continue;
          addSet(found.key, found.member, found.blocks);
        }
      }
    }
    const count = lists.length;
    if (count > this.limits.classes) return undefined;
    const peers = old.peers.refined({
      idents, count, parent,
      rep: (s) => {
        const o = lists[s]![0];
        return o === undefined ? undefined : [originals.identityOf[o]!, originals.cidrClassOf[o]!];
      },
      evaluate, added: addedSets, addedBlocks, cidr, nodes,
    });

    lap("classes");
    // Profiles: cells of split port classes copied, rows widened to the new classes, then the identities the change can move.
    const tiers = new Tiers(cluster, peers, ports);
    if (tiers.rules.length >= TIER_RULE_LIMIT) return undefined; // the compile says why
    const profiles = this.profiles;
    const alive = (p: number) => {
      const m = profiles.members[p]!;
      return m.policies.every((x) => now.has(x)) && m.admin.every((x) => now.has(x)) && m.baseline.every((x) => now.has(x));
    };
    profiles.use(cluster, { peers, ports, tiers });
    if (portParent) profiles.table = profiles.table.map((t) => remapCells(t, portParent!));
    const growth = count > oldCount ? growthOf(oldCount, count, parent, exact) : undefined;
    if (growth) this.widen(growth, alive);
    const egressOf = new Uint32Array(idents.length);
    const ingressOf = new Uint32Array(idents.length);
    egressOf.set(old.egressOf);
    ingressOf.set(old.ingressOf);
    // Identities whose profiles can change: in the namespace of a NetworkPolicy added or removed,
    // new ones, held by the subject of an admin policy added or removed, and (subjects read
    // namespace labels) relabelled ones when there are tiers.
    const namespaces = new Set([...added, ...removed].map((p) => p.namespace));
    const relabelled = new Set(tiers.empty && old.tiers.empty ? [] : touched);
    const subjects = (id: Identity) => addedAdmin.some((p) => tiers.selects(p, id)) || removedAdmin.some((p) => old.tiers.selects(p, id));
    idents.forEach((id, i) => {
      if (i < firstNew && !namespaces.has(id.namespace) && !relabelled.has(i) && !subjects(id) && !(i < old.idents.length && subjects(old.idents[i]!))) return;
      egressOf[i] = profiles.profileFor(id, "egress", true)!;
      ingressOf[i] = profiles.profileFor(id, "ingress", true)!;
    });
    lap("profiles");
    if (profiles.count > this.limits.profiles || profiles.rows.items.length > this.limits.rows) return undefined;

    // Reasons: the instances kept while the classes are (their port bits moved), laid out again.
    this.reasons.use({ peers, ports, tiers }, { ...(growth ? { growth } : {}), ...(portParent ? { portParent } : {}) });
    const reasons = this.reasons.layout(cluster, profiles.members, { alive });
    const words = wordsFor(count);

    lap("reasons");
    const packed = this.packSlots && count < 0xffff;
    const slotOfClass = (c: number) => slotWordOf(c, c, packed); // reason classes are the peer classes
    const { addresses, entriesOf, counts, partial } = addressTablesAfter(old, { cluster, podIdentity, podOriginals, before, kept, sOf, egressOf, ingressOf, packed, slotOfClass });
    lap("addresses");
    const trie = cidr === old.cidr ? old.trie : outsideTrie(cidr);
    const outside = new Uint32Array(cidr.classCount * 2);
    originals.outsideOf.forEach((o, c) => outside.set([sOf[o]!, sOf[o]!], c * 2));

    const { bytes, sections } = assemble({
      peerClasses: count, rowWords: words, rows: flatRows(profiles.rows.items, words), profiles: profiles.flat(), ports,
      trie4: trie.trie4, trie6: trie.trie6, nodes: trie.nodes, addresses, outside,
      reasons, reasonRows: flatRows(reasons.rows, words), reasonWords: words, packed, tierRules: tiers.rules.length, names: this.namesOf(cluster, reasons.rules, tiers),
    });
    lap("bundle");
    const next: State = { cluster, tiers, cidr, trie, podIdentity, podOriginals, tables: addresses, counts, packed, idents, identityOf, originals, sOf, membersOf: lists, movedTo, rootOf, peers, ports, egressOf, ingressOf };
    return {
      bytes,
      stages,
      stats: {
        pods: cluster.pods.length, identities: idents.length, ipBlocks: cidr.blocks.length, cidrClasses: cidr.classCount,
        peerClassesBeforeMerge: originals.identityOf.length, peerClasses: count, portClasses: ports.count, profiles: profiles.count,
        rows: profiles.rows.items.length, rules: reasons.ruleCount, tierRules: tiers.rules.length, reasonClasses: count, reasonRows: reasons.rows.length,
        trieNodes: trie.count, bundleBytes: bytes.byteLength, sections,
      },
      addresses: {
        identityOf, egressOf, ingressOf, cidr, classOf: originals.ofKey, slotWord: (o) => slotOfClass(sOf[o]!), reasonOf: (o) => sOf[o]!, packed, entriesOf, partial,
        place: placer(cluster, profiles.finder(), peers, cidr, columnsOf(peers, count, slotOfClass)),
      },
      commit: () => {
        this.state = next;
      },
    };
  }

  /**
   * Every profile's rows over the grown space: the old words, each new class that only new sets
   * told from its parent with the parent's bit, and the classes whose membership changed (or
   * new ones) evaluated from the profile's rules. A profile whose policies are gone is copied
   * only (no address reaches it). Rows are made once per (old row, evaluated words).
   */
  private widen(g: Growth, alive: (p: number) => boolean): void {
    const profiles = this.profiles;
    const oldRows = profiles.rows.items;
    const pool = new BitsetPool();
    pool.intern(new Uint32Array(g.words)); // row 0: allows nothing
    const tails = new BitsetPool();
    const tailWords = g.words - g.from;
    tails.intern(new Uint32Array(tailWords)); // 0: no evaluated bit
    const made = new Map<number, number>();
    const rowOf = (r: number, tail: number): number => {
      const key = tail * oldRows.length + r;
      let n = made.get(key);
      if (n === undefined) {
        const row = widened(oldRows[r]!, g);
        if (tail !== 0) orInto(row.subarray(g.from), tails.items[tail]!);
        n = pool.intern(row);
        made.set(key, n);
      }
      return n;
    };
    const masked = new Uint32Array(tailWords);
    // Copied bits only: each distinct row once.
    const copied = Int32Array.from(oldRows, (_, r) => rowOf(r, 0));
    const copy = (cells: Uint32Array) => {
      const out = new Uint32Array(cells.length);
      for (let k = 0; k < cells.length; k++) out[k] = copied[cells[k]!]!;
      return out;
    };
    profiles.table = profiles.table.map((cells, p) => {
      if (!g.evaluated || !alive(p)) return copy(cells);
      const { rows, rowOf: cover } = profiles.tail(p, g.from);
      // Each distinct row's evaluated words once (most have none: the old row, copied).
      const tailOf = new Int32Array(cells.length).fill(-1);
      const out = new Uint32Array(cells.length);
      for (let k = 0; k < cells.length; k++) {
        const c = cover[k]!;
        let t = c < 0 ? 0 : tailOf[c]!;
        if (t < 0) {
          let any = 0;
          for (let w = 0; w < tailWords; w++) any |= masked[w] = rows[c * tailWords + w]! & g.evaluated![w]!;
          tailOf[c] = t = any === 0 ? 0 : tails.intern(masked);
        }
        out[k] = t === 0 ? copied[cells[k]!]! : rowOf(cells[k]!, t);
      }
      return out;
    });
    profiles.rows = pool;
  }
}

interface OutsideTrie {
  readonly trie4: Trie;
  readonly trie6: Trie;
  readonly nodes: Uint32Array;
  readonly count: number;
}

/** Tries whose leaves are the CIDR classes themselves (OUTSIDE maps each to its live class). */
function outsideTrie(cidr: CidrClasses): OutsideTrie {
  const nodes: Uint32Array[] = [];
  const leaf = (space: CidrClasses["v4"]) => (interval: number) => space.classOf[interval]!;
  const trie4 = buildTrie(cidr.v4, leaf(cidr.v4), nodes);
  const trie6 = buildTrie(cidr.v6, leaf(cidr.v6), nodes);
  return { trie4, trie6, nodes: flatNodes(nodes), count: nodes.length };
}
