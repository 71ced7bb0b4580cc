/**
 * Peer classes: what the far side of a connection looks like to a policy. A pod address is
 * (its identity, the CIDR class of that address) — ipBlocks match pod addresses too — and
 * any other address is (outside, its CIDR class). Every selector and ipBlock peer becomes a
 * bitset over peer classes, evaluated once and cached.
 */
import type { AdminPeer, AdminPolicy, AdminRule, Cluster, IPAddress, IPBlock, Labels, NetworkPolicy, Node, Peer, Rule } from "../model/types.js";
import { allOf, hasBit, orInto, setBit, wordsFor } from "./bits.js";
import { type CidrClasses, blockKey, classOfAddress } from "./cidr.js";
import type { Identity } from "./identities.js";
import { type ColumnMerge, remapRow } from "./merge.js";
import type { RulePart } from "./parts.js";
import { compileSelector } from "./selector.js";

export interface PeerClasses {
  readonly count: number;
  /** Identity of each class, -1 for outside addresses. */
  readonly identityOf: Int32Array;
  readonly cidrClassOf: Int32Array;
  /** Class of an outside address by its CIDR class. */
  readonly outsideOf: Int32Array;
  /** Classes of each identity (one per CIDR class its pods' addresses fall in). */
  readonly ofIdentity: readonly number[][];
  /** Class of each pod address, by its canonical text. */
  readonly ofAddress: ReadonlyMap<string, number>;
  /** Class of (identity, CIDR class), by `${identity}:${cidrClass}`: live updates place new addresses with it. */
  readonly ofKey: ReadonlyMap<string, number>;
}

export function peerClasses(cluster: Cluster, idents: readonly Identity[], ofPod: Map<unknown, number>, cidr: CidrClasses): PeerClasses {
  const identityOf: number[] = [];
  const cidrClassOf: number[] = [];
  const keys = new Map<string, number>();
  const ofIdentity: number[][] = idents.map(() => []);
  const intern = (identity: number, cls: number): number => {
    const key = `${identity}:${cls}`;
    let q = keys.get(key);
    if (q === undefined) {
      q = identityOf.length;
      keys.set(key, q);
      identityOf.push(identity);
      cidrClassOf.push(cls);
      if (identity >= 0) ofIdentity[identity]!.push(q);
    }
    return q;
  };
  const outsideOf = Int32Array.from({ length: cidr.classCount }, (_, c) => intern(-1, c));
  const ofAddress = new Map<string, number>();
  for (const pod of cluster.pods) {
    const identity = ofPod.get(pod)!;
    for (const ip of pod.ips) ofAddress.set(ip.text, intern(identity, classOfAddress(cidr, ip)));
  }
  return { count: identityOf.length, identityOf: Int32Array.from(identityOf), cidrClassOf: Int32Array.from(cidrClassOf), outsideOf, ofIdentity, ofAddress, ofKey: keys };
}

/**
 * The bitset of every distinct peer of every rule, and of every named-port destination,
 * computed once. Because every row is built from these sets (unions, and intersections with
 * named-port destinations), peer classes that no set tells apart can be merged before any row
 * is built: `basis()` gives the sets to merge on, `remap()` moves everything to the merged space.
 */
export class PeerSets {
  private readonly cache = new Map<string, Uint32Array>();
  private readonly ruleCache = new Map<Rule | AdminRule, Uint32Array>();
  words: number;
  /** Classes of the space the sets are in (after remap: the merged classes). */
  size: number;
  all: Uint32Array;
  /** Egress named ports: `name/protocol` → port number → pod peer classes resolving it there. */
  named = new Map<string, Map<number, Uint32Array>>();

  /** Identities by namespace, so a namespace selector is evaluated once per namespace. */
  private readonly byNamespace: ReadonlyMap<string, { labels: Identity["namespaceLabels"]; members: number[] }>;

  constructor(
    private readonly classes: PeerClasses,
    private readonly idents: readonly Identity[],
    private readonly cidr: CidrClasses,
    policies: readonly NetworkPolicy[],
    admin: readonly AdminPolicy[] = [],
    private readonly nodes: readonly Node[] = [],
  ) {
    this.byNamespace = byNamespaceOf(idents);
    this.words = wordsFor(classes.count);
    this.size = classes.count;
    this.all = allOf(classes.count);
    for (const policy of policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        for (const peer of rule.peers) {
          const key = peerKey(peer, policy);
          if (this.cache.has(key)) continue;
          this.cache.set(key, peer.ipBlock ? this.blockBits(blockKey(peer.ipBlock)) : this.podBits(peer, policy.namespace));
          if (peer.ipBlock) this.blocksOf.set(key, [peer.ipBlock]);
          this.member.set(key, peer.ipBlock ? this.inBlocks([peer.ipBlock]) : this.podMember(peer, policy.namespace));
        }
      }
    }
    for (const policy of admin) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        for (const peer of rule.peers) {
          const key = adminPeerKey(peer);
          if (key === undefined || this.cache.has(key)) continue;
          this.cache.set(key, this.adminPeerBits(peer));
          const blocks = peerBlocks(peer, this.nodes);
          if (blocks) this.blocksOf.set(key, blocks);
          this.member.set(key, this.adminMember(peer));
        }
      }
    }
    this.namedDestinations();
  }

  /**
   * The column a peer class (identity, CIDR class) has over basis(): its bit in every set. An
   * identity no pod had at compile time gets the class of the old classes with the same column
   * (engine.apply's fast path), since every row is made of these sets.
   */
  column(id: Identity, cidrClass: number): Uint32Array {
    const rows = 1 + this.cache.size + [...this.named.values()].reduce((n, m) => n + m.size, 0);
    const column = new Uint32Array(wordsFor(rows));
    let r = 0;
    setBit(column, r++); // every class is in `all`
    for (const key of this.cache.keys()) {
      if (this.member.get(key)!(id, cidrClass)) setBit(column, r);
      r++;
    }
    for (const [key, byNumber] of this.named) {
      for (const n of byNumber.keys()) {
        if (id.namedPorts.get(key)?.includes(n)) setBit(column, r);
        r++;
      }
    }
    return column;
  }

  basis(): Uint32Array[] {
    return [this.all, ...this.cache.values(), ...[...this.named.values()].flatMap((m) => [...m.values()])];
  }

  remap(merge: ColumnMerge): void {
    for (const [k, v] of this.cache) this.cache.set(k, remapRow(v, merge));
    for (const byNumber of this.named.values()) for (const [n, v] of byNumber) byNumber.set(n, remapRow(v, merge));
    this.all = remapRow(this.all, merge);
    this.words = wordsFor(merge.count);
    this.size = merge.count;
    this.ruleCache.clear();
    this.parts = new WeakMap();
  }

  /** @internal Live updates: the key of a NetworkPolicy peer, and how to tell its members (whether or not the sets hold it yet). */
  peerOf(peer: Peer, policy: NetworkPolicy, cidr: CidrClasses): { key: string; member: Member } {
    const key = peerKey(peer, policy);
    return { key, member: peer.ipBlock ? inBlocksOf(cidr, [peer.ipBlock]) : (this.member.get(key) ?? this.podMember(peer, policy.namespace)) };
  }

  /** @internal Live updates: an admin peer's key, test and blocks (networks, nodes' addresses), asked of `cidr`; undefined for a peer of no known kind. */
  adminPeerOf(peer: AdminPeer, cidr: CidrClasses): { key: string; member: Member; blocks?: readonly IPBlock[] } | undefined {
    const key = adminPeerKey(peer);
    if (key === undefined) return undefined;
    const blocks = peerBlocks(peer, this.nodes);
    if (blocks) return { key, member: inBlocksOf(cidr, blocks), blocks };
    return { key, member: this.member.get(key) ?? this.adminMember(peer) };
  }

  /** @internal Live updates: whether the sets hold a key. */
  has(key: string): boolean {
    return this.cache.has(key);
  }

  /** @internal Live updates: a set's bit for a class of the current space. */
  holds(key: string, s: number): boolean {
    return hasBit(this.cache.get(key)!, s);
  }

  /**
   * @internal Live updates: is class `c` in every set as class `s`, but for the sets of
   * `answers`, where it is as they say? (Named-port destinations read no labels: as `s`.)
   */
  sameColumn(c: number, s: number, answers: ReadonlyMap<string, boolean>): boolean {
    for (const [key, bits] of this.cache) {
      const want = answers.get(key) ?? hasBit(bits, s);
      if (hasBit(bits, c) !== want) return false;
    }
    for (const byNumber of this.named.values()) for (const bits of byNumber.values()) if (hasBit(bits, c) !== hasBit(bits, s)) return false;
    return true;
  }

  /** @internal Live updates: the sets whose membership reads namespace labels, with their tests. */
  namespaceDependent(): Map<string, Member> {
    const out = new Map<string, Member>();
    for (const key of this.cache.keys()) if (readsNamespaceLabels(key)) out.set(key, this.member.get(key)!);
    return out;
  }

  /** @internal Live updates: does an identity resolve every named port it has the way some set already knows? */
  knowsNamedPorts(id: Identity): boolean {
    for (const [key, numbers] of id.namedPorts) for (const n of numbers) if (!this.named.get(key)?.has(n)) return false;
    return true;
  }

  /**
   * @internal Live updates (incremental.ts): these sets over a refined space. A new class keeps
   * its parent's bit in every set but those of `evaluate` and the named-port destinations, which
   * are asked of its representative; sets of `added` are asked of every class (a class without members gets 0). The sets of this
   * object are left as they are (an engine may still be using them).
   */
  refined(r: Refinement): PeerSets {
    const old = this.size;
    const words = wordsFor(r.count);
    const ask = (member: Member, s: number): boolean => {
      const m = r.rep(s);
      return m !== undefined && member(m[0] < 0 ? undefined : r.idents[m[0]], m[1]);
    };
    /** A set over the new space: its old bits, and for each new class its parent's bit or, when asked, the representative's answer. */
    const grow = (bits: Uint32Array, member: Member, askAlways: boolean): Uint32Array => {
      const out = new Uint32Array(words);
      out.set(bits);
      for (let j = old; j < r.count; j++) {
        const p = r.parent[j - old]!;
        if (p >= 0 && !askAlways ? hasBit(bits, p) : ask(member, j)) setBit(out, j);
      }
      return out;
    };
    // Sets of blocks are asked of the new CIDR classes from now on (old blocks keep their indices).
    const member = new Map(this.member);
    const blocksOf = new Map([...this.blocksOf, ...r.addedBlocks]);
    if (r.cidr !== this.cidr) for (const [key, blocks] of this.blocksOf) member.set(key, inBlocksOf(r.cidr, blocks));
    const cache = new Map<string, Uint32Array>();
    for (const [key, bits] of this.cache) cache.set(key, grow(bits, member.get(key)!, r.evaluate.has(key)));
    for (const [key, m] of r.added) {
      const out = new Uint32Array(words);
      for (let s = 0; s < r.count; s++) if (ask(m, s)) setBit(out, s);
      cache.set(key, out);
      member.set(key, m);
    }
    const named = new Map<string, Map<number, Uint32Array>>();
    for (const [key, byNumber] of this.named) {
      const next = new Map<number, Uint32Array>();
      for (const [n, bits] of byNumber) next.set(n, grow(bits, (id) => id?.namedPorts.get(key)?.includes(n) ?? false, true));
      named.set(key, next);
    }
    const next = Object.create(PeerSets.prototype) as PeerSets;
    Object.assign(next, {
      classes: this.classes, idents: r.idents, cidr: r.cidr, nodes: r.nodes, cache, ruleCache: new Map(), parts: new WeakMap(), words, size: r.count,
      all: allOf(r.count), named, byNamespace: byNamespaceOf(r.idents), member, blocksOf,
    });
    return next;
  }

  /** Rule parts made over these sets (parts.ts), per port classes. */
  partsCache(ports: object): Map<Rule, RulePart[] | Map<string, RulePart[]>> {
    let m = this.parts.get(ports);
    if (!m) this.parts.set(ports, (m = new Map()));
    return m;
  }

  private parts = new WeakMap<object, Map<Rule, RulePart[] | Map<string, RulePart[]>>>();

  /** The peers a rule allows: every peer when its list is empty. */
  ofRule(rule: Rule, policy: NetworkPolicy): Uint32Array {
    if (rule.peers.length === 0) return this.all;
    let bits = this.ruleCache.get(rule);
    if (!bits) {
      bits = new Uint32Array(this.words);
      for (const peer of rule.peers) orInto(bits, this.cache.get(peerKey(peer, policy))!);
      this.ruleCache.set(rule, bits);
    }
    return bits;
  }

  /**
   * The peers an admin rule names (its known peers; a peer of no known kind adds nothing —
   * tiers.ts makes such a rule fail closed).
   */
  ofAdminRule(rule: AdminRule): Uint32Array {
    let bits = this.ruleCache.get(rule);
    if (!bits) {
      bits = new Uint32Array(this.words);
      for (const peer of rule.peers) {
        const key = adminPeerKey(peer);
        if (key !== undefined) orInto(bits, this.cache.get(key)!);
      }
      this.ruleCache.set(rule, bits);
    }
    return bits;
  }

  /** ANP.md §4: namespaces and pods select pods; networks any address in them, pods' too; nodes the nodes' addresses. */
  private adminPeerBits(peer: AdminPeer): Uint32Array {
    switch (peer.kind) {
      case "namespaces":
      case "pods":
        return this.selectedBits(adminSelection(peer));
      case "networks":
      case "nodes":
        return this.blocksBits(peerBlocks(peer, this.nodes)!);
      case "unknown":
        return new Uint32Array(this.words);
    }
  }

  /** The blocks of the sets that are unions of blocks (their members are asked of a CIDR class's signature). */
  private readonly blocksOf = new Map<string, readonly IPBlock[]>();

  /** Membership of (identity, CIDR class) in each peer set, for column(); identity undefined: an outside address. */
  private readonly member = new Map<string, Member>();

  private inBlocks(blocks: readonly IPBlock[]): Member {
    return inBlocksOf(this.cidr, blocks);
  }

  private podMember(peer: Peer, policyNamespace: string): Member {
    return selectionMember(podSelection(peer, policyNamespace));
  }

  private adminMember(peer: AdminPeer): Member {
    switch (peer.kind) {
      case "namespaces":
      case "pods":
        return selectionMember(adminSelection(peer));
      case "networks":
      case "nodes":
        return this.inBlocks(peerBlocks(peer, this.nodes)!);
      case "unknown":
        return () => false;
    }
  }

  private blocksBits(blocks: readonly IPBlock[]): Uint32Array {
    const bits = new Uint32Array(this.words);
    for (const b of blocks) orInto(bits, this.blockBits(blockKey(b)));
    return bits;
  }

  private namedDestinations(): void {
    this.idents.forEach((id, i) => {
      for (const [key, numbers] of id.namedPorts) {
        const byNumber = this.named.get(key) ?? new Map<number, Uint32Array>();
        this.named.set(key, byNumber);
        for (const n of numbers) {
          const bits = byNumber.get(n) ?? new Uint32Array(this.words);
          byNumber.set(n, bits);
          for (const q of this.classes.ofIdentity[i]!) setBit(bits, q);
        }
      }
    });
  }

  private blockBits(key: string): Uint32Array {
    const b = this.cidr.blockIndex.get(key)!;
    const bits = new Uint32Array(this.words);
    for (let q = 0; q < this.classes.count; q++) {
      const sig = this.cidr.signatures[this.classes.cidrClassOf[q]!]!;
      if ((sig[b >>> 5]! >>> (b & 31)) & 1) setBit(bits, q);
    }
    return bits;
  }

  /** Pod peers select pods, never outside addresses (SEMANTICS.md "A peer"). */
  private podBits(peer: Peer, policyNamespace: string): Uint32Array {
    return this.selectedBits(podSelection(peer, policyNamespace));
  }

  /** The classes of the identities a selection picks: the namespace test once per namespace. */
  private selectedBits({ inNamespace, podOk }: Selection): Uint32Array {
    const bits = new Uint32Array(this.words);
    for (const [namespace, { labels, members }] of this.byNamespace) {
      if (!inNamespace(namespace, labels)) continue;
      for (const i of members) {
        if (podOk(this.idents[i]!.labels)) for (const q of this.classes.ofIdentity[i]!) setBit(bits, q);
      }
    }
    return bits;
  }
}

/** Which pods a peer selects: a test of their namespace (name and labels) and of their labels. */
interface Selection {
  readonly inNamespace: (name: string, labels: Labels) => boolean;
  readonly podOk: (labels: Labels) => boolean;
}

/** A NetworkPolicy pod peer: without a namespaceSelector, the policy's own namespace. */
function podSelection(peer: Peer, policyNamespace: string): Selection {
  const ns = peer.namespaceSelector ? compileSelector(peer.namespaceSelector) : undefined;
  return { inNamespace: ns ? (_, labels) => ns(labels) : (name) => name === policyNamespace, podOk: peer.podSelector ? compileSelector(peer.podSelector) : () => true };
}

/** An admin `namespaces` or `pods` peer. */
function adminSelection(peer: Extract<AdminPeer, { kind: "namespaces" | "pods" }>): Selection {
  const ns = compileSelector(peer.namespaceSelector);
  return { inNamespace: (_, labels) => ns(labels), podOk: peer.kind === "pods" ? compileSelector(peer.podSelector) : () => true };
}

const selectionMember = ({ inNamespace, podOk }: Selection): Member => (id) => id !== undefined && inNamespace(id.namespace, id.namespaceLabels) && podOk(id.labels);

/** Membership in the union of some blocks, by the CIDR classes of `cidr` (every block is one of its). */
function inBlocksOf(cidr: CidrClasses, blocks: readonly IPBlock[]): Member {
  const indices = blocks.map((b) => cidr.blockIndex.get(blockKey(b))!);
  return (_, c) => indices.some((b) => hasBit(cidr.signatures[c]!, b));
}

/** Identities by namespace, with the namespace's labels. */
function byNamespaceOf(idents: readonly Identity[]): Map<string, { labels: Identity["namespaceLabels"]; members: number[] }> {
  const out = new Map<string, { labels: Identity["namespaceLabels"]; members: number[] }>();
  idents.forEach((id, i) => {
    const entry = out.get(id.namespace) ?? { labels: id.namespaceLabels, members: [] };
    entry.members.push(i);
    out.set(id.namespace, entry);
  });
  return out;
}

/** Whether the addresses of a peer class — (identity, CIDR class), identity undefined outside pods — are in a set. */
export type Member = (id: Identity | undefined, cidrClass: number) => boolean;

/** What `PeerSets.refined` needs to know of a refined class space. */
export interface Refinement {
  /** Every identity, with its namespace's labels as they are now (new identities last). */
  readonly idents: readonly Identity[];
  /** Classes of the refined space: the old ones keep their numbers, new ones follow. */
  readonly count: number;
  /** Per new class (from the old count on): the old class it was split off, whose bits it keeps, or -1. */
  readonly parent: readonly number[];
  /** A member of a class, as (identity, CIDR class) (identity -1: outside); undefined for a class with none. */
  readonly rep: (s: number) => readonly [identity: number, cidrClass: number] | undefined;
  /** Sets whose membership changed (namespace labels did): asked again of every new class, even one with a parent. */
  readonly evaluate: ReadonlySet<string>;
  /** New sets: asked of every class. */
  readonly added: ReadonlyMap<string, Member>;
  /** The blocks of the new sets that are unions of blocks. */
  readonly addedBlocks: ReadonlyMap<string, readonly IPBlock[]>;
  /** The CIDR classes from now on: the old ones or, with new blocks, classes inside them (see extendCidr). */
  readonly cidr: CidrClasses;
  /** The cluster's nodes from now on (new `nodes` peers select among them). */
  readonly nodes: readonly Node[];
}

/** An address as the block of just that address (node addresses are matched exactly). */
export function hostBlock(ip: IPAddress): IPBlock {
  const prefix = ip.family === 4 ? 32 : 128;
  return { cidr: { family: ip.family, bytes: ip.bytes, prefix, text: `${ip.text}/${prefix}` }, except: [] };
}

/** The blocks an admin peer stands for — a `networks` peer's CIDRs, the addresses of the nodes a `nodes` peer selects — if that is what it is. */
function peerBlocks(peer: AdminPeer, nodes: readonly Node[]): IPBlock[] | undefined {
  if (peer.kind === "networks") return peer.cidrs.map((cidr) => ({ cidr, except: [] }));
  if (peer.kind !== "nodes") return undefined;
  const selects = compileSelector(peer.nodeSelector);
  return nodes.filter((n) => selects(n.labels)).flatMap((n) => n.addresses.map(hostBlock));
}

/** The blocks admin tiers add to the CIDR classes: every `networks` CIDR, and the addresses of nodes a `nodes` peer selects. */
export function adminBlocks(admin: readonly AdminPolicy[], nodes: readonly Node[]): IPBlock[] {
  return admin.flatMap((policy) => [...policy.ingress, ...policy.egress].flatMap((rule) => rule.peers.flatMap((peer) => peerBlocks(peer, nodes) ?? [])));
}

function adminPeerKey(peer: AdminPeer): string | undefined {
  return peer.kind === "unknown" ? undefined : `a:${JSON.stringify(peer)}`;
}

/** Does a set's key name a selection of namespaces by their labels (a namespaceSelector, an admin namespaces or pods peer)? */
function readsNamespaceLabels(key: string): boolean {
  if (key.startsWith("a:")) return key.includes('"namespaceSelector"');
  return key.startsWith("[null,");
}

/** Pod peers without a namespaceSelector depend on the policy's namespace. */
function peerKey(peer: Peer, policy: NetworkPolicy): string {
  if (peer.ipBlock) return `b:${blockKey(peer.ipBlock)}`;
  return JSON.stringify([peer.namespaceSelector ? null : policy.namespace, peer.namespaceSelector, peer.podSelector]);
}
