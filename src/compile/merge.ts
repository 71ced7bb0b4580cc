/**
 * Merges peer classes that no row tells apart (DESIGN.md §3: "merge indistinguishable
 * peers"): two columns with the same bit in every row are one class. Columns are compared
 * exactly (interned), so the merge never changes a verdict.
 */
import { BitsetPool, forEachBit, hasBit, setBit, wordsFor } from "./bits.js";

export interface ColumnMerge {
  readonly count: number;
  /** New class of each old class. */
  readonly map: Int32Array;
  /** The new class of a column (one bit per row given to mergeColumns), or -1 when no old class had it. */
  readonly classOfColumn?: (column: Uint32Array) => number;
}

/** Transposes rows × classes into one bitset over rows per class, then interns equal columns. */
export function mergeColumns(rows: readonly Uint32Array[], count: number): ColumnMerge {
  const rowWords = wordsFor(rows.length);
  const columns = new Uint32Array(count * rowWords);
  rows.forEach((row, r) => {
    const word = r >>> 5;
    const bit = 1 << (r & 31);
    forEachBit(row, (q) => {
      if (q < count) columns[q * rowWords + word]! |= bit;
    });
  });
  const pool = new BitsetPool();
  const map = new Int32Array(count);
  for (let q = 0; q < count; q++) map[q] = pool.intern(columns.subarray(q * rowWords, (q + 1) * rowWords));
  return { count: pool.items.length, map, classOfColumn: (column) => pool.find(column) };
}

export function remapRow(row: Uint32Array, merge: ColumnMerge): Uint32Array {
  const out = new Uint32Array(wordsFor(merge.count));
  forEachBit(row, (q) => {
    if (q >= merge.map.length) return;
    const m = merge.map[q]!;
    out[m >>> 5]! |= 1 << (m & 31);
  });
  return out;
}

/**
 * How rows over the old classes become rows over the grown space: each new class split off by
 * new sets only copies its parent's bit; the others (`evaluated`, a mask over the words from
 * `from` on) must be evaluated from what made the row.
 */
export interface Growth {
  readonly oldCount: number;
  readonly count: number;
  readonly words: number;
  readonly copies: readonly (readonly [cls: number, parent: number])[];
  readonly from: number;
  readonly evaluated: Uint32Array | undefined;
}

export function growthOf(oldCount: number, count: number, parent: readonly number[], exact: readonly boolean[]): Growth {
  const words = wordsFor(count);
  const copies: [number, number][] = [];
  const others: number[] = [];
  for (let j = oldCount; j < count; j++) {
    if (exact[j - oldCount]) copies.push([j, parent[j - oldCount]!]);
    else others.push(j);
  }
  const from = others.length > 0 ? others[0]! >>> 5 : words;
  let evaluated: Uint32Array | undefined;
  if (others.length > 0) {
    evaluated = new Uint32Array(words - from);
    for (const j of others) setBit(evaluated, j - from * 32);
  }
  return { oldCount, count, words, copies, from, evaluated };
}

/** A row over the grown space: its old bits, and each copying class with its parent's bit. */
export function widened(row: Uint32Array, g: Growth): Uint32Array {
  const out = new Uint32Array(g.words);
  out.set(row);
  for (const [j, p] of g.copies) if (hasBit(row, p)) setBit(out, j);
  return out;
}
