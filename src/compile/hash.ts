/**
 * Exact-match tables of pod addresses: open addressing, linear probing, a power-of-two
 * capacity with at least one empty slot (so every probe ends). A slot holds what a decision
 * needs of the address — peer class, egress and ingress profile — beside its key, so a pod
 * side costs one cache line. The hash functions are mirrored in assembly/lookup.ts.
 *
 *   IPv4 slot: peer class, egress profile, ingress profile, address            (4 words)
 *   IPv6 slot: peer class, egress profile, ingress profile, 4 address words, 0 (8 words)
 *   an empty slot has peer class EMPTY.
 */

export const V4_SLOT_WORDS = 4;
export const V6_SLOT_WORDS = 8;
export const EMPTY = 0xffffffff;

/** What a slot says of its address. */
export type SlotValue = readonly [peerClass: number, egress: number, ingress: number];

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

export function buildV4Table(keys: readonly number[], values: readonly SlotValue[]): Uint32Array {
  const capacity = capacityFor(keys.length);
  const shift = shiftFor(capacity);
  const table = new Uint32Array(capacity * V4_SLOT_WORDS).fill(EMPTY);
  keys.forEach((key, i) => {
    let s = hashV4(key, shift);
    while (table[s * V4_SLOT_WORDS] !== EMPTY) s = (s + 1) & (capacity - 1);
    table.set([...values[i]!, key], s * V4_SLOT_WORDS);
  });
  return table;
}

export function buildV6Table(keys: readonly Uint32Array[], values: readonly SlotValue[]): Uint32Array {
  const capacity = capacityFor(keys.length);
  const shift = shiftFor(capacity);
  const table = new Uint32Array(capacity * V6_SLOT_WORDS).fill(EMPTY);
  keys.forEach((k, i) => {
    let s = hashV6(k[0]!, k[1]!, k[2]!, k[3]!, shift);
    while (table[s * V6_SLOT_WORDS] !== EMPTY) s = (s + 1) & (capacity - 1);
    table.set([...values[i]!, k[0]!, k[1]!, k[2]!, k[3]!, 0], s * V6_SLOT_WORDS);
  });
  return table;
}
