/**
 * Exact-match tables from pod addresses to address entries: open addressing, linear probing,
 * a power-of-two capacity with at least one empty slot (so every probe ends). The hash
 * functions are mirrored in assembly/lookup.ts; the bundle tests hold the two together.
 */

export const V4_SLOT_WORDS = 2; // key, entry + 1
export const V6_SLOT_WORDS = 5; // 4 key words, entry + 1

export function capacityFor(count: number): number {
  let c = 4;
  while (c < count * 2) c *= 2;
  return c;
}

export function shiftFor(capacity: number): number {
  return 32 - Math.log2(capacity);
}

export function hashV4(key: number, shift: number): number {
  return Math.imul(key, 0x9e3779b1) >>> shift;
}

export function hashV6(k0: number, k1: number, k2: number, k3: number, shift: number): number {
  const mixed = k0 ^ Math.imul(k1, 0x85ebca6b) ^ Math.imul(k2, 0xc2b2ae35) ^ Math.imul(k3, 0x27d4eb2f);
  return Math.imul(mixed, 0x9e3779b1) >>> shift;
}

export function buildV4Table(keys: readonly number[], entries: readonly number[]): Uint32Array {
  const capacity = capacityFor(keys.length);
  const shift = shiftFor(capacity);
  const table = new Uint32Array(capacity * V4_SLOT_WORDS);
  keys.forEach((key, i) => {
    let s = hashV4(key, shift);
    while (table[s * V4_SLOT_WORDS + 1] !== 0) s = (s + 1) & (capacity - 1);
    table[s * V4_SLOT_WORDS] = key;
    table[s * V4_SLOT_WORDS + 1] = entries[i]! + 1;
  });
  return table;
}

export function buildV6Table(keys: readonly Uint32Array[], entries: readonly number[]): Uint32Array {
  const capacity = capacityFor(keys.length);
  const shift = shiftFor(capacity);
  const table = new Uint32Array(capacity * V6_SLOT_WORDS);
  keys.forEach((k, i) => {
    let s = hashV6(k[0]!, k[1]!, k[2]!, k[3]!, shift);
    while (table[s * V6_SLOT_WORDS + 4] !== 0) s = (s + 1) & (capacity - 1);
    table.set(k, s * V6_SLOT_WORDS);
    table[s * V6_SLOT_WORDS + 4] = entries[i]! + 1;
  });
  return table;
}
