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

export function orInto(target: Uint32Array, source: Uint32Array): void {
  for (let i = 0; i < target.length; i++) target[i]! |= source[i]!;
}

export function isZero(words: Uint32Array): boolean {
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}

/** A string key for deduplication; exact, not a hash. */
export function bitsKey(words: Uint32Array): string {
  return String.fromCharCode(...new Uint16Array(words.buffer, words.byteOffset, words.length * 2));
}

/** Interns equal bitsets: returns the index of the first equal one seen. */
export class BitsetPool {
  readonly items: Uint32Array[] = [];
  private readonly index = new Map<string, number>();

  intern(words: Uint32Array): number {
    const key = words.length > 4096 ? bitsKeyLong(words) : bitsKey(words);
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.items.length;
      this.items.push(words);
      this.index.set(key, id);
    }
    return id;
  }
}

function bitsKeyLong(words: Uint32Array): string {
  let s = "";
  for (let i = 0; i < words.length; i += 4096) s += bitsKey(words.subarray(i, i + 4096));
  return s;
}
