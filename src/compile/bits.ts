/** Fixed-size bitsets over Uint32Array words, the currency of the compiler. */

export function wordsFor(bits: number): number {
  return Math.max(1, (bits + 31) >>> 5);
}

export function setBit(words: Uint32Array, i: number): void {
  words[i >>> 5]! |= 1 << (i & 31);
}

export function clearBit(words: Uint32Array, i: number): void {
  words[i >>> 5]! &= ~(1 << (i & 31));
}

export function hasBit(words: Uint32Array, i: number): boolean {
  return ((words[i >>> 5]! >>> (i & 31)) & 1) === 1;
}

/** Bits 0..count-1 set. */
export function allOf(count: number): Uint32Array {
  const all = new Uint32Array(wordsFor(count));
  for (let k = 0; k < count; k++) setBit(all, k);
  return all;
}

/** Rows of `words` words each, one after another (as the bundle's row sections lay them out). */
export function flatRows(rows: readonly Uint32Array[], words: number): Uint32Array {
  const out = new Uint32Array(rows.length * words);
  rows.forEach((r, i) => out.set(r, i * words));
  return out;
}

export function orInto(target: Uint32Array, source: Uint32Array): void {
  for (let i = 0; i < target.length; i++) target[i]! |= source[i]!;
}

/** Index of the last element ≤ v in an ascending list whose first element is ≤ v. */
export function lastAtMost<T extends number | bigint>(sorted: readonly T[], v: T): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (sorted[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Calls fn with the index of every set bit, in increasing order. */
export function forEachBit(words: Uint32Array, fn: (i: number) => void): void {
  for (let w = 0; w < words.length; w++) {
    let x = words[w]!;
    while (x !== 0) {
      const low = x & -x;
      fn(w * 32 + (31 - Math.clz32(low)));
      x ^= low;
    }
  }
}

export function bitsEqual(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bitsHash(words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h;
}

/**
 * Interns equal bitsets: returns the index of the first equal one seen (hash, then exact
 * compare). A new bitset is copied, so callers may reuse their scratch space.
 */
export class BitsetPool {
  readonly items: Uint32Array[] = [];
  private readonly buckets = new Map<number, number[]>();

  /** Index of a bitset equal to `words`, or -1. */
  find(words: Uint32Array): number {
    for (const id of this.buckets.get(bitsHash(words)) ?? []) if (bitsEqual(this.items[id]!, words)) return id;
    return -1;
  }

  intern(words: Uint32Array): number {
    const h = bitsHash(words);
    const bucket = this.buckets.get(h);
    if (bucket) {
      for (const id of bucket) if (bitsEqual(this.items[id]!, words)) return id;
    }
    const id = this.items.length;
    this.items.push(words.slice());
    if (bucket) bucket.push(id);
    else this.buckets.set(h, [id]);
    return id;
  }
}
