/**
 * CIDR classes: the address space of each family cut at every ipBlock `cidr` and `except`
 * boundary into elementary intervals; two addresses are in one class iff they match exactly
 * the same ipBlocks (DESIGN.md §1). An ipBlock matches an address in its cidr and in none of
 * its excepts; the families never mix.
 */
import type { CIDR, IPAddress, IPBlock, NetworkPolicy } from "../model/types.js";
import { BitsetPool, clearBit, lastAtMost, setBit, wordsFor } from "./bits.js";

export interface FamilySpace {
  readonly bits: 32 | 128;
  /** Sorted interval starts; cuts[0] = 0. */
  readonly cuts: bigint[];
  /** CIDR class of each interval. */
  readonly classOf: Int32Array;
}

export interface CidrClasses {
  /** Distinct ipBlocks of all policies, by key (see blockKey). */
  readonly blocks: readonly IPBlock[];
  readonly blockIndex: ReadonlyMap<string, number>;
  readonly classCount: number;
  /** For each class, the bitset over blocks that match it. */
  readonly signatures: readonly Uint32Array[];
  readonly v4: FamilySpace;
  readonly v6: FamilySpace;
}

export function blockKey(b: IPBlock): string {
  return [b.cidr.text, ...b.except.map((e) => e.text).sort()].join(" ");
}

export function addressValue(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function range(c: CIDR): [bigint, bigint] {
  const bits = BigInt(c.family === 4 ? 32 : 128);
  const start = addressValue(c.bytes);
  return [start, start + (1n << (bits - BigInt(c.prefix)))];
}

/** Index of the interval holding `v`: the last cut ≤ v. */
export function intervalOf(cuts: readonly bigint[], v: bigint): number {
  return lastAtMost(cuts, v);
}

/**
 * The classes with more blocks (live updates): cut at the new blocks' boundaries, each old class
 * becomes one or more classes — the first keeps its number (so an address whose class the new
 * blocks do not cut keeps it), the others are numbered after the old ones. `parent`: the old
 * class of each class.
 */
export function extendCidr(prev: CidrClasses, added: readonly IPBlock[]): { cidr: CidrClasses; parent: Int32Array } {
  const blocks = [...prev.blocks, ...added];
  const blockIndex = new Map(prev.blockIndex);
  added.forEach((b, k) => blockIndex.set(blockKey(b), prev.blocks.length + k));
  const words = wordsFor(blocks.length);
  const signatures = prev.signatures.map((sig) => {
    const out = new Uint32Array(words);
    out.set(sig);
    return out;
  });
  const parent = Array.from({ length: prev.classCount }, (_, c) => c);
  /** `${old class}:${new blocks holding it}` → class; the first seen of an old class keeps its number. */
  const childOf = new Map<string, number>();
  const kept = new Set<number>();
  const base = signatures.map((sig) => sig.slice()); // the old signatures, before new bits
  const space = (p: FamilySpace, family: 4 | 6): FamilySpace => {
    const end = 1n << BigInt(p.bits);
    const mine = added.map((b, k) => ({ b, i: prev.blocks.length + k })).filter(({ b }) => b.cidr.family === family);
    const cutSet = new Set<bigint>(p.cuts);
    for (const { b } of mine) for (const c of [b.cidr, ...b.except]) for (const v of range(c)) if (v < end) cutSet.add(v);
    const cuts = mine.length === 0 ? p.cuts : [...cutSet].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const inside = (c: CIDR, v: bigint) => {
      const [lo, hi] = range(c);
      return v >= lo && v < hi;
    };
    const classOf = new Int32Array(cuts.length);
    let q = 0; // the old interval holding cuts[k]
    cuts.forEach((start, k) => {
      while (q + 1 < p.cuts.length && p.cuts[q + 1]! <= start) q++;
      const old = p.classOf[q]!;
      const holding = mine.filter(({ b }) => inside(b.cidr, start) && !b.except.some((e) => inside(e, start))).map(({ i }) => i);
      const key = `${old}:${holding.join(",")}`;
      let c = childOf.get(key);
      if (c === undefined) {
        if (kept.has(old)) {
          c = signatures.length;
          signatures.push(base[old]!.slice());
          parent.push(old);
        } else {
          c = old;
          kept.add(old);
        }
        for (const i of holding) setBit(signatures[c]!, i);
        childOf.set(key, c);
      }
      classOf[k] = c;
    });
    return { bits: p.bits, cuts, classOf };
  };
  const v4 = space(prev.v4, 4);
  const v6 = space(prev.v6, 6);
  return { cidr: { blocks, blockIndex, classCount: signatures.length, signatures, v4, v6 }, parent: Int32Array.from(parent) };
}

/** Every distinct ipBlock of the policies, then the extra blocks (admin `networks`, node addresses). */
export function collectBlocks(policies: readonly NetworkPolicy[], extra: readonly IPBlock[] = []): { blocks: IPBlock[]; blockIndex: Map<string, number> } {
  const blocks: IPBlock[] = [];
  const blockIndex = new Map<string, number>();
  const add = (block: IPBlock) => {
    const key = blockKey(block);
    if (!blockIndex.has(key)) {
      blockIndex.set(key, blocks.length);
      blocks.push(block);
    }
  };
  for (const p of policies) {
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const peer of rule.peers) if (peer.ipBlock) add(peer.ipBlock);
    }
  }
  extra.forEach(add);
  return { blocks, blockIndex };
}

function signaturesOf(family: 4 | 6, blocks: readonly IPBlock[]): { cuts: bigint[]; sigs: Uint32Array[] } {
  const bits = family === 4 ? 32 : 128;
  const end = 1n << BigInt(bits);
  const mine = blocks.map((b, i) => ({ b, i })).filter(({ b }) => b.cidr.family === family);
  const cutSet = new Set<bigint>([0n]);
  for (const { b } of mine) {
    for (const c of [b.cidr, ...b.except]) for (const v of range(c)) if (v < end) cutSet.add(v);
  }
  const cuts = [...cutSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const words = wordsFor(blocks.length);
  const sigs = cuts.map(() => new Uint32Array(words));
  const span = (c: CIDR): [number, number] => {
    const [s, e] = range(c);
    return [intervalOf(cuts, s), e >= end ? cuts.length : intervalOf(cuts, e)];
  };
  for (const { b, i } of mine) {
    const [lo, hi] = span(b.cidr);
    for (let k = lo; k < hi; k++) setBit(sigs[k]!, i);
    for (const e of b.except) {
      const [elo, ehi] = span(e);
      for (let k = elo; k < ehi; k++) clearBit(sigs[k]!, i);
    }
  }
  return { cuts, sigs };
}

export function cidrClasses(policies: readonly NetworkPolicy[], extra: readonly IPBlock[] = []): CidrClasses {
  const { blocks, blockIndex } = collectBlocks(policies, extra);
  const pool = new BitsetPool();
  const space = (family: 4 | 6): FamilySpace => {
    const { cuts, sigs } = signaturesOf(family, blocks);
    return { bits: family === 4 ? 32 : 128, cuts, classOf: Int32Array.from(sigs, (s) => pool.intern(s)) };
  };
  const v4 = space(4);
  const v6 = space(6);
  return { blocks, blockIndex, classCount: pool.items.length, signatures: pool.items, v4, v6 };
}

export function classOfAddress(classes: CidrClasses, ip: IPAddress): number {
  const space = ip.family === 4 ? classes.v4 : classes.v6;
  return space.classOf[intervalOf(space.cuts, addressValue(ip.bytes))]!;
}
