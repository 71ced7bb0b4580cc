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
  fill(root, 0n, space.bits - rootBits, space, leafOf, nodes);
  return { rootBits, root };
}

function fill(table: Uint32Array, base: bigint, slotBits: number, space: FamilySpace, leafOf: (interval: number) => number, nodes: Uint32Array[]): void {
  const size = 1n << BigInt(slotBits);
  const { cuts } = space;
  let i = intervalOf(cuts, base);
  for (let s = 0; s < table.length; s++) {
    const start = base + BigInt(s) * size;
    while (i + 1 < cuts.length && cuts[i + 1]! <= start) i++;
    if (i + 1 === cuts.length || cuts[i + 1]! >= start + size) {
      table[s] = (LEAF | leafOf(i)) >>> 0;
      continue;
    }
    const child = new Uint32Array(NODE_ENTRIES);
    table[s] = nodes.length;
    nodes.push(child);
    fill(child, start, slotBits - 8, space, leafOf, nodes);
  }
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
