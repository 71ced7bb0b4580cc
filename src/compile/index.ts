/**
 * The compiler: a Cluster → the tables of DESIGN.md → one bundle (Uint8Array) that the core
 * reads in place. Every stage is a file of this folder; this one wires them and lays out the
 * sections (see layout.ts and BUNDLE.md).
 */
import type { Cluster, Pod } from "../model/types.js";
import { flatRows, wordsFor } from "./bits.js";
import { writeBundle } from "./bundle.js";
import { type CidrClasses, cidrClasses, classOfAddress } from "./cidr.js";
import { type AddressEntry, type AddressTables, V4_SLOT_WORDS, V6_SLOT_WORDS, buildAddressTables, slotWordOf } from "./hash.js";
import { type Identity, identities, namedPortsOf } from "./identities.js";
import { Meta, Section } from "./layout.js";
import { mergeColumns, remapRow } from "./merge.js";
import { PeerSets, adminBlocks, peerClasses } from "./peers.js";
import { type PortClasses, portClasses } from "./ports.js";
import { type ProfileMembers, buildProfiles } from "./profiles.js";
import { DIRECTION_CODE, type Reasons, TIER_RULE_LIMIT, buildReasons } from "./reasons.js";
import type { Seed } from "./incremental.js";
import { Tiers } from "./tiers.js";
import { NODE_ENTRIES, type Trie, buildTrie, flatNodes } from "./trie.js";

/** The cluster uses something the compiler cannot put into a bundle (yet); nothing was compiled. */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedError";
  }
}

export interface CompileStats {
  readonly pods: number;
  readonly identities: number;
  readonly ipBlocks: number;
  readonly cidrClasses: number;
  readonly peerClassesBeforeMerge: number;
  readonly peerClasses: number;
  readonly portClasses: number;
  readonly profiles: number;
  readonly rows: number;
  readonly rules: number;
  /** Rules of admin- and baseline-tier policies. */
  readonly tierRules: number;
  readonly reasonClasses: number;
  readonly reasonRows: number;
  readonly trieNodes: number;
  readonly bundleBytes: number;
  readonly sections: Readonly<Record<string, number>>;
}

export interface Compiled {
  readonly bytes: Uint8Array;
  readonly stats: CompileStats;
  /** @internal What live updates need to place a pod's addresses without compiling again. */
  readonly addresses: AddressState;
  /** @internal What live updates need to carry on from this compile (incremental.ts). */
  readonly live: Seed;
}

/**
 * How the bundle places pod addresses: an address of a pod whose identity the bundle knows,
 * in a CIDR class that identity already has, gets a slot value without any table but the
 * address tables changing (engine.apply's fast path).
 */
export interface AddressState {
  readonly identityOf: ReadonlyMap<string, number>;
  readonly egressOf: Uint32Array;
  readonly ingressOf: Uint32Array;
  readonly cidr: CidrClasses;
  /** `${identity}:${cidrClass}` → original peer class. */
  readonly classOf: ReadonlyMap<string, number>;
  /** A slot's first word for an original peer class (packed with its reason class when `packed`). */
  readonly slotWord: (original: number) => number;
  readonly reasonOf: (original: number) => number;
  readonly packed: boolean;
  /** What the address tables hold for each pod of the compiled cluster (when `partial`, for each pod whose entries a live compile changed). */
  readonly entriesOf: ReadonlyMap<Pod, readonly AddressEntry[]>;
  /** entriesOf holds only the pods a live compile gave new entries; the others keep theirs. */
  readonly partial?: boolean;
  /**
   * The slot values of a pod whose identity no pod had at compile time, when the tables can
   * place it without change: its namespace known, its profiles among the bundle's, and each of
   * its peer classes equal (in every peer set) to one the bundle has. Undefined otherwise.
   */
  readonly place: (pod: Pod) => AddressEntry[] | undefined;
}

export interface CompileOptions {
  /** Called after each stage with its name and duration in milliseconds (for benchmarks). */
  readonly onStage?: (stage: string, ms: number) => void;
  /**
   * @internal Pack reason classes into the pod slots (default: whenever both classes fit in 16
   * bits). Tests turn it off to exercise the side tables that very large clusters need.
   */
  readonly packSlots?: boolean;
}

export function compileCluster(cluster: Cluster, options: CompileOptions = {}): Compiled {
  let last = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    options.onStage?.(stage, now - last);
    last = now;
  };
  const { identities: idents, ofPod, byKey } = identities(cluster);
  const admin = cluster.adminPolicies ?? [];
  const cidr = cidrClasses(cluster.policies, adminBlocks(admin, cluster.nodes ?? []));
  const classes = peerClasses(cluster, idents, ofPod, cidr);
  const ports = portClasses(cluster.policies, idents, admin);
  const peers = new PeerSets(classes, idents, cidr, cluster.policies, admin, cluster.nodes ?? []);
  lap("classes");
  // Merge on the peer sets first (rows are built from them), so rows are built narrow.
  const basis = mergeColumns(peers.basis(), classes.count);
  peers.remap(basis);
  const tiers = new Tiers(cluster, peers, ports);
  if (tiers.rules.length >= TIER_RULE_LIMIT) throw new UnsupportedError(`${tiers.rules.length} admin-tier rules: a bundle holds fewer than ${TIER_RULE_LIMIT}`);
  lap("peer sets");
  const profiles = buildProfiles(cluster, { peers, ports, idents, tiers });
  lap("profiles");
  const rowMerge = mergeColumns(profiles.rows.items, basis.count);
  const merge = { count: rowMerge.count, map: basis.map.map((q) => rowMerge.map[q]!) };
  const rowWords = wordsFor(merge.count);
  const rows = flatRows(profiles.rows.items.map((r) => remapRow(r, rowMerge)), rowWords);
  lap("rows");

  const reasons = buildReasons(cluster, profiles.members, { peers, ports, tiers }, basis.count);
  const reasonWords = wordsFor(reasons.merge.count);
  const reasonRows = flatRows(reasons.rows, reasonWords);
  lap("reasons");

  // Each address: its peer class (verdict rows) and its reason class (rule parts).
  const peerOf = (original: number) => merge.map[original]!;
  const reasonOf = (original: number) => reasons.merge.map[basis.map[original]!]!;
  // Both classes in one slot word when they fit in 16 bits: explain then finds a side's reason
  // class in the cache line decide already read.
  const packed = (options.packSlots ?? true) && merge.count < 0xffff && reasons.merge.count <= 0x10000;
  const slotOf = (peer: number, reason: number) => slotWordOf(peer, reason, packed);
  const slotWord = (o: number) => slotOf(peerOf(o), reasonOf(o));
  const entriesOf = new Map(
    cluster.pods.map((pod) => {
      const identity = ofPod.get(pod)!;
      return [pod, pod.ips.map((ip): AddressEntry => {
        const original = classes.ofAddress.get(ip.text)!;
        return { ip, value: [slotWord(original), profiles.egressOf[identity]!, profiles.ingressOf[identity]!], reason: reasonOf(original) };
      })];
    }),
  );
  const addresses = buildAddressTables([...entriesOf.values()].flat(), packed);

  // Trie leaves are outside indices: one per distinct (peer class, reason class) of outside addresses.
  const outsideKeys = new Map<string, number>();
  const outsideWords: number[] = [];
  const nodes: Uint32Array[] = [];
  const outside = (space: typeof cidr.v4) => (interval: number) => {
    const original = classes.outsideOf[space.classOf[interval]!]!;
    const pair = [peerOf(original), reasonOf(original)];
    const key = pair.join(":");
    let o = outsideKeys.get(key);
    if (o === undefined) {
      o = outsideKeys.size;
      outsideKeys.set(key, o);
      outsideWords.push(...pair);
    }
    return o;
  };
  const trie4 = buildTrie(cidr.v4, outside(cidr.v4), nodes);
  const trie6 = buildTrie(cidr.v6, outside(cidr.v6), nodes);

  lap("addresses");
  const { bytes, sections } = assemble({
    peerClasses: merge.count, rowWords, rows, profiles: profiles.table, ports,
    trie4, trie6, nodes: flatNodes(nodes), addresses, outside: Uint32Array.from(outsideWords),
    reasons, reasonRows, reasonWords, packed, tierRules: tiers.rules.length, names: namesSection(cluster, reasons.rules, profiles.members, tiers),
  });
  const place = placer(cluster, profiles.find, peers, cidr, (column) => {
    const b = basis.classOfColumn!(column);
    return b < 0 ? undefined : { word: slotOf(rowMerge.map[b]!, reasons.merge.map[b]!), reason: reasons.merge.map[b]! };
  });
  return {
    bytes,
    addresses: { identityOf: byKey, egressOf: profiles.egressOf, ingressOf: profiles.ingressOf, cidr, classOf: classes.ofKey, slotWord, reasonOf, packed, place, entriesOf },
    stats: {
      pods: cluster.pods.length,
      identities: idents.length,
      ipBlocks: cidr.blocks.length,
      cidrClasses: cidr.classCount,
      peerClassesBeforeMerge: classes.count,
      peerClasses: merge.count,
      portClasses: ports.count,
      profiles: profiles.count,
      rows: profiles.rows.items.length,
      rules: reasons.ruleCount,
      tierRules: tiers.rules.length,
      reasonClasses: reasons.merge.count,
      reasonRows: reasons.rows.length,
      trieNodes: nodes.length,
      bundleBytes: bytes.byteLength,
      sections,
    },
    live: {
      cluster, idents, identityOf: byKey, ofPod, cidr, classes, peers, sOf: basis.map, ports, profiles: profiles.builder,
      egressOf: profiles.egressOf, ingressOf: profiles.ingressOf, reasons: reasons.table, tiers, packSlots: options.packSlots ?? true,
    },
  };
}

/**
 * AddressState.place: the entries of a pod whose identity no pod had, when its namespace is
 * known, each of its named ports is one some pod had at that number, the tables hold its
 * profiles, and each address's column over the peer sets (its bit in
 * every set, see PeerSets.column) is one a class of the tables has: every row is made of those
 * sets, so it decides as that class does. `slot` says the slot word and reason class of a column.
 */
export function placer(
  cluster: Cluster, find: (id: Identity, direction: "egress" | "ingress") => number | undefined, peers: PeerSets, cidr: CidrClasses,
  slot: (column: Uint32Array) => { readonly word: number; readonly reason: number } | undefined,
): (pod: Pod) => AddressEntry[] | undefined {
  const namespaceLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  return (pod) => {
    const labels = namespaceLabels.get(pod.namespace);
    if (!labels) return undefined;
    const id: Identity = { namespace: pod.namespace, namespaceLabels: labels, labels: pod.labels, namedPorts: namedPortsOf(pod.ports), pods: [] };
    // A named port at a number no pod had it: rules naming it need parts (and maybe port classes) the tables lack.
    if (!peers.knowsNamedPorts(id)) return undefined;
    const egress = find(id, "egress");
    const ingress = find(id, "ingress");
    if (egress === undefined || ingress === undefined) return undefined;
    const out: AddressEntry[] = [];
    for (const ip of pod.ips) {
      const s = slot(peers.column(id, classOfAddress(cidr, ip)));
      if (s === undefined) return undefined;
      out.push({ ip, value: [s.word, egress, ingress], reason: s.reason });
    }
    return out;
  };
}

/** The tables of a bundle, laid out (a compile's and a live update's alike). */
export interface Tables {
  readonly peerClasses: number;
  readonly rowWords: number;
  /** Rows of rowWords words each. */
  readonly rows: Uint32Array;
  /** Per profile, its row number for each port class. */
  readonly profiles: Uint32Array;
  readonly ports: PortClasses;
  readonly trie4: Trie;
  readonly trie6: Trie;
  /** The nodes of both tries, 256 entries each. */
  readonly nodes: Uint32Array;
  readonly addresses: AddressTables;
  /** Per outside index, its peer class and its reason class. */
  readonly outside: Uint32Array;
  readonly reasons: Reasons;
  readonly reasonRows: Uint32Array;
  readonly reasonWords: number;
  readonly packed: boolean;
  readonly tierRules: number;
  readonly names: Uint32Array;
}

/** META and the sections of a bundle, written: the bytes and each section's size. */
export function assemble(t: Tables): { bytes: Uint8Array; sections: Record<string, number> } {
  const meta = new Uint32Array(Meta.WORDS);
  meta[Meta.PEER_CLASSES] = t.peerClasses;
  meta[Meta.ROW_WORDS] = t.rowWords;
  const rowCount = t.rows.length / t.rowWords;
  meta[Meta.PROFILES] = t.profiles.length / t.ports.count;
  meta[Meta.PORT_CLASSES] = t.ports.count;
  meta[Meta.ROWS] = rowCount;
  meta[Meta.TRIE4_ROOT_BITS] = t.trie4.rootBits;
  meta[Meta.TRIE6_ROOT_BITS] = t.trie6.rootBits;
  meta[Meta.NODES] = t.nodes.length / NODE_ENTRIES;
  meta[Meta.HASH4_CAPACITY] = t.addresses.hash4.length / V4_SLOT_WORDS;
  meta[Meta.HASH6_CAPACITY] = t.addresses.hash6.length / V6_SLOT_WORDS;
  const narrow = rowCount <= 0x10000;
  meta[Meta.PROFILE_CELL_BYTES] = narrow ? 2 : 4;
  meta[Meta.OUTSIDE] = t.outside.length / 2;
  meta[Meta.REASON_CLASSES] = t.reasons.merge.count;
  meta[Meta.REASON_ROW_WORDS] = t.reasonWords;
  meta[Meta.REASON_ROWS] = t.reasons.rows.length;
  meta[Meta.RULES] = t.reasons.ruleCount;
  meta[Meta.PARTS] = t.reasons.partCount;
  meta[Meta.REASON_IN_SLOT] = t.packed ? 1 : 0;
  meta[Meta.TIER_RULES] = t.tierRules;
  const portCuts = Uint32Array.from(t.ports.cuts.flatMap((c) => [c.length, ...c]));
  const sections = [
    { id: Section.META, words: meta },
    { id: Section.PORT_CUTS, words: portCuts },
    { id: Section.HASH4, words: t.addresses.hash4 },
    { id: Section.HASH6, words: t.addresses.hash6 },
    { id: Section.TRIE4, words: t.trie4.root },
    { id: Section.TRIE6, words: t.trie6.root },
    { id: Section.NODES, words: t.nodes },
    { id: Section.PROFILES, words: narrow ? packU16(t.profiles) : t.profiles },
    { id: Section.ROWS, words: t.rows },
    { id: Section.OUTSIDE, words: t.outside },
    { id: Section.REASONS4, words: t.addresses.reasons4 },
    { id: Section.REASONS6, words: t.addresses.reasons6 },
    { id: Section.PROFILE_PARTS, words: t.reasons.profileParts },
    { id: Section.PARTS, words: t.reasons.parts },
    { id: Section.REASON_ROWS, words: t.reasonRows },
    { id: Section.NAMES, words: t.names },
  ];
  const sectionNames = Object.fromEntries(Object.entries(Section).map(([k, v]) => [v, k]));
  return { bytes: writeBundle(sections), sections: Object.fromEntries(sections.map((s) => [sectionNames[s.id]!, s.words.byteLength])) };
}

/** What the host needs to name reasons; the core only checks it lies inside the bundle. A profile whose policies are gone (live updates) names none. */
export function namesSection(cluster: Cluster, rules: Uint32Array, members: readonly ProfileMembers[], tiers: Tiers): Uint32Array {
  const index = new Map(cluster.policies.map((p, i) => [p, i]));
  const names = {
    policies: cluster.policies.map((p) => [p.namespace, p.name]),
    rules: Array.from({ length: rules.length / 3 }, (_, r) => [rules[r * 3]!, rules[r * 3 + 1]!, rules[r * 3 + 2]!]),
    profiles: members.map((m) => (m.policies.every((p) => index.has(p)) ? m.policies.map((p) => index.get(p)!) : [])),
    // [policy name, tier, direction code, rule index, action as written] per tier rule id.
    tierRules: tiers.rules.map((r) => [r.policy.name, r.policy.tier, DIRECTION_CODE[r.direction], r.index, r.rule.action]),
  };
  const utf8 = new TextEncoder().encode(JSON.stringify(names));
  const padded = new Uint8Array((utf8.length + 3) & ~3).fill(0x20); // JSON allows trailing spaces
  padded.set(utf8);
  const view = new DataView(padded.buffer);
  return Uint32Array.from({ length: padded.length / 4 }, (_, i) => view.getUint32(i * 4, true)); // bytes in order, as written

}

/** Halves a table of small numbers: two little-endian u16 per word, zero-padded to a word. */
function packU16(values: Uint32Array): Uint32Array {
  const half = new Uint16Array(values.length + (values.length & 1));
  half.set(values);
  return new Uint32Array(half.buffer);
}
