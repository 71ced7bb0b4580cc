/**
 * Merges peer classes that no row tells apart (DESIGN.md §3: "merge indistinguishable
 * peers"): two columns with the same bit in every row are one class. Hashes find the
 * candidates; an exact comparison confirms them, so the merge never changes a verdict.
 */
import { hasBit, wordsFor } from "./bits.js";

export interface ColumnMerge {
  readonly count: number;
  /** New class of each old class. */
  readonly map: Int32Array;
}

function columnHashes(rows: readonly Uint32Array[], count: number): { h1: Int32Array; h2: Int32Array; n: Int32Array } {
  const h1 = new Int32Array(count);
  const h2 = new Int32Array(count);
  const n = new Int32Array(count);
  rows.forEach((row, r) => {
    for (let w = 0; w < row.length; w++) {
      let x = row[w]!;
      while (x !== 0) {
        const low = x & -x;
        const q = w * 32 + (31 - Math.clz32(low));
        x ^= low;
        if (q >= count) continue;
        h1[q] = Math.imul(h1[q]!, 1000003) + r + 1;
        h2[q] = Math.imul(h2[q]! ^ (r + 1), 16777619);
        n[q]!++;
      }
    }
  });
  return { h1, h2, n };
}

function sameColumn(rows: readonly Uint32Array[], a: number, b: number): boolean {
  return rows.every((row) => hasBit(row, a) === hasBit(row, b));
}

export function mergeColumns(rows: readonly Uint32Array[], count: number): ColumnMerge {
  const { h1, h2, n } = columnHashes(rows, count);
  const groups = new Map<string, number[]>();
  const map = new Int32Array(count);
  let next = 0;
  for (let q = 0; q < count; q++) {
    const key = `${h1[q]},${h2[q]},${n[q]}`;
    const reps = groups.get(key) ?? [];
    groups.set(key, reps);
    const same = reps.find((r) => sameColumn(rows, r, q));
    if (same !== undefined) map[q] = map[same]!;
    else {
      reps.push(q);
      map[q] = next++;
    }
  }
  return { count: next, map };
}

export function remapRow(row: Uint32Array, merge: ColumnMerge): Uint32Array {
  const out = new Uint32Array(wordsFor(merge.count));
  for (let q = 0; q < merge.map.length; q++) {
    if (hasBit(row, q)) {
      const m = merge.map[q]!;
      out[m >>> 5]! |= 1 << (m & 31);
    }
  }
  return out;
}
