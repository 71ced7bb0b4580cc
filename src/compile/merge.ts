/**
 * Merges peer classes that no row tells apart (DESIGN.md §3: "merge indistinguishable
 * peers"): two columns with the same bit in every row are one class. Columns are compared
 * exactly (interned), so the merge never changes a verdict.
 */
import { BitsetPool, forEachBit, wordsFor } from "./bits.js";

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
