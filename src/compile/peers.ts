/**
 * Peer classes: what the far side of a connection looks like to a policy. A pod address is
 * (its identity, the CIDR class of that address) — ipBlocks match pod addresses too — and
 * any other address is (outside, its CIDR class). Every selector and ipBlock peer becomes a
 * bitset over peer classes, evaluated once and cached.
 */
import type { Cluster, NetworkPolicy, Peer } from "../model/types.js";
import { setBit, wordsFor } from "./bits.js";
import { type CidrClasses, blockKey, classOfAddress } from "./cidr.js";
import type { Identity } from "./identities.js";
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
  return { count: identityOf.length, identityOf: Int32Array.from(identityOf), cidrClassOf: Int32Array.from(cidrClassOf), outsideOf, ofIdentity, ofAddress };
}

/** Caches the bitset of every distinct peer of every rule. */
export class PeerSets {
  private readonly cache = new Map<string, Uint32Array>();
  readonly words: number;
  readonly all: Uint32Array;

  constructor(private readonly classes: PeerClasses, private readonly idents: readonly Identity[], private readonly cidr: CidrClasses) {
    this.words = wordsFor(classes.count);
    this.all = new Uint32Array(this.words);
    for (let q = 0; q < classes.count; q++) setBit(this.all, q);
  }

  of(peer: Peer, policy: NetworkPolicy): Uint32Array {
    const key = peer.ipBlock
      ? `b:${blockKey(peer.ipBlock)}`
      : JSON.stringify([peer.namespaceSelector ? null : policy.namespace, peer.namespaceSelector, peer.podSelector]);
    let bits = this.cache.get(key);
    if (!bits) {
      bits = peer.ipBlock ? this.blockBits(blockKey(peer.ipBlock)) : this.podBits(peer, policy.namespace);
      this.cache.set(key, bits);
    }
    return bits;
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
    const bits = new Uint32Array(this.words);
    const inNamespace = peer.namespaceSelector ? compileSelector(peer.namespaceSelector) : undefined;
    const podOk = peer.podSelector ? compileSelector(peer.podSelector) : () => true;
    this.idents.forEach((id, i) => {
      const nsOk = inNamespace ? inNamespace(id.namespaceLabels) : id.namespace === policyNamespace;
      if (nsOk && podOk(id.labels)) {
        for (const q of this.classes.ofIdentity[i]!) setBit(bits, q);
      }
    });
    return bits;
  }
}
