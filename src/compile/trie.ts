/**
 * Multibit tries for longest-prefix lookup (DESIGN.md §2): a root table indexed by the first
 * `rootBits` (8 or 16) bits of the address, then 256-entry nodes, one per further byte, with
 * leaf pushing: every entry is either a leaf (bit 31 set, the value in the low bits) or the
 * number of a child node. Children are always numbered after their parent, which the core
 * checks when it validates a bundle, so a lookup always terminates.
 */
import { type FamilySpace, intervalOf } from "./cidr.js";

export const LEAF = 0x80000000;
export const NODE_ENTRIES = 256;

export interface Trie {
  readonly rootBits: 8 | 16;
  readonly root: Uint32Array;
}

/** Builds one family's trie into `nodes` (shared by both families). */
export function buildTrie(space: FamilySpace, leafOf: (interval: number) => number, nodes: Uint32Array[]): Trie {
  const rootBits = space.cuts.length > 64 ? 16 : 8;
  const root = new Uint32Array(1 << rootBits);
  fill(root, 0n, space.bits - rootBits, space.cuts, leafOf, nodes);
  return { rootBits, root };
}

/**
 * Fills a table whose slots each cover 2^slotBits addresses from `base`: runs of slots inside one
 * interval become leaves at once, a slot with an interval starting inside it a child node (filled
 * before the next slot: children follow their parent). Work goes with the cuts in range, not the slots.
 */
function fill(table: Uint32Array, base: bigint, slotBits: number, cuts: readonly bigint[], leafOf: (interval: number) => number, nodes: Uint32Array[]): void {
  const shift = BigInt(slotBits);
  const mask = (1n << shift) - 1n;
  const end = base + (BigInt(table.length) << shift);
  let i = intervalOf(cuts, base); // the interval of the slot being filled
  let s = 0;
  while (s < table.length) {
    const next = i + 1 < cuts.length && cuts[i + 1]! < end ? cuts[i + 1]! : undefined;
    if (next === undefined) {
      table.fill((LEAF | leafOf(i)) >>> 0, s);
      return;
    }
    const slot = Number((next - base) >> shift);
    table.fill((LEAF | leafOf(i)) >>> 0, s, slot);
    const start = base + (BigInt(slot) << shift);
    const slotEnd = start + mask + 1n;
    // The interval starting at `next`, and any after it inside the same slot.
    let j = i + 1;
    while (j + 1 < cuts.length && cuts[j + 1]! < slotEnd) j++;
    if (((next - base) & mask) === 0n && j === i + 1) {
      i = j; // a new interval from this slot's start, the slot whole inside it
      s = slot;
      continue;
    }
    const child = new Uint32Array(NODE_ENTRIES);
    table[slot] = nodes.length;
    nodes.push(child);
    fill(child, start, slotBits - 8, cuts, leafOf, nodes);
    i = j;
    s = slot + 1;
  }
}

/** The nodes of both tries, one after another (the bundle's NODES section). */
export function flatNodes(nodes: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(nodes.length * NODE_ENTRIES);
  nodes.forEach((n, i) => out.set(n, i * NODE_ENTRIES));
  return out;
}

/** The leaf value for an address (bytes in network order): the JS twin of the core's lookup. */
export function lookupTrie(trie: Trie, nodes: readonly Uint32Array[], bytes: Uint8Array): number {
  const rootBytes = trie.rootBits / 8;
  let index = 0;
  for (let k = 0; k < rootBytes; k++) index = (index << 8) | bytes[k]!;
  let e = trie.root[index]!;
  for (let k = rootBytes; (e & LEAF) === 0; k++) e = nodes[e]![bytes[k]!]!;
  return (e & ~LEAF) >>> 0;
}
