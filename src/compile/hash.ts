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

import { writeAddress } from "../engine/batch.js";
import type { IPAddress } from "../model/types.js";

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

/** An IPv4 table holding `keys` (distinct) with their values. */
export function buildV4Table(keys: readonly number[], values: readonly SlotValue[]): Uint32Array {
  const t = emptyTables(keys.length, 0, false);
  keys.forEach((key, i) => insertV4(t, key, values[i]!, 0));
  return t.hash4;
}

/** The address tables of a bundle (reasons empty when packed into the slots): what live updates edit in place. */
export interface AddressTables {
  hash4: Uint32Array;
  hash6: Uint32Array;
  reasons4: Uint32Array;
  reasons6: Uint32Array;
}

/** Slot of an IPv4 address, or -1. */
function findV4(table: Uint32Array, key: number): number {
  const capacity = table.length / V4_SLOT_WORDS;
  for (let s = hashV4(key, shiftFor(capacity)); table[s * V4_SLOT_WORDS] !== EMPTY; s = (s + 1) & (capacity - 1)) {
    if (table[s * V4_SLOT_WORDS + 3] === key) return s;
  }
  return -1;
}

function findV6(table: Uint32Array, k: Uint32Array): number {
  const capacity = table.length / V6_SLOT_WORDS;
  for (let s = hashV6(k[0]!, k[1]!, k[2]!, k[3]!, shiftFor(capacity)); table[s * V6_SLOT_WORDS] !== EMPTY; s = (s + 1) & (capacity - 1)) {
    const at = s * V6_SLOT_WORDS + 3;
    if (table[at] === k[0] && table[at + 1] === k[1] && table[at + 2] === k[2] && table[at + 3] === k[3]) return s;
  }
  return -1;
}

/**
 * Removes the slot at `s` of a linear-probing table and moves later entries of the same run
 * back (backward-shift deletion), so every remaining key is still found from its home slot.
 */
function removeSlot(table: Uint32Array, words: number, reasons: Uint32Array, s: number, home: (slot: number) => number): void {
  const mask = table.length / words - 1;
  let hole = s;
  for (let j = (s + 1) & mask; table[j * words] !== EMPTY; j = (j + 1) & mask) {
    const k = home(j);
    // The entry at j stays if its home lies cyclically in (hole, j]: moving it before its home would lose it.
    const stays = hole <= j ? k > hole && k <= j : k > hole || k <= j;
    if (stays) continue;
    table.copyWithin(hole * words, j * words, (j + 1) * words);
    if (reasons.length > 0) reasons[hole] = reasons[j]!;
    hole = j;
  }
  table.fill(EMPTY, hole * words, hole * words + words);
  if (reasons.length > 0) reasons[hole] = EMPTY;
}

/** Removes an IPv4 address from its table; false if it was not there. */
export function removeV4(t: AddressTables, key: number): boolean {
  const s = findV4(t.hash4, key);
  if (s < 0) return false;
  const shift = shiftFor(t.hash4.length / V4_SLOT_WORDS);
  removeSlot(t.hash4, V4_SLOT_WORDS, t.reasons4, s, (j) => hashV4(t.hash4[j * V4_SLOT_WORDS + 3]!, shift));
  return true;
}

export function removeV6(t: AddressTables, k: Uint32Array): boolean {
  const s = findV6(t.hash6, k);
  if (s < 0) return false;
  const shift = shiftFor(t.hash6.length / V6_SLOT_WORDS);
  const h = t.hash6;
  removeSlot(h, V6_SLOT_WORDS, t.reasons6, s, (j) => hashV6(h[j * V6_SLOT_WORDS + 3]!, h[j * V6_SLOT_WORDS + 4]!, h[j * V6_SLOT_WORDS + 5]!, h[j * V6_SLOT_WORDS + 6]!, shift));
  return true;
}

/** Inserts (or overwrites) an IPv4 address; the caller keeps the table at most half full. */
export function insertV4(t: AddressTables, key: number, value: SlotValue, reason: number): void {
  const capacity = t.hash4.length / V4_SLOT_WORDS;
  let s = hashV4(key, shiftFor(capacity));
  while (t.hash4[s * V4_SLOT_WORDS] !== EMPTY && t.hash4[s * V4_SLOT_WORDS + 3] !== key) s = (s + 1) & (capacity - 1);
  t.hash4.set(value, s * V4_SLOT_WORDS);
  t.hash4[s * V4_SLOT_WORDS + 3] = key;
  if (t.reasons4.length > 0) t.reasons4[s] = reason;
}

export function insertV6(t: AddressTables, k: Uint32Array, value: SlotValue, reason: number): void {
  const capacity = t.hash6.length / V6_SLOT_WORDS;
  const h = t.hash6;
  const same = (s: number) => h[s + 3] === k[0] && h[s + 4] === k[1] && h[s + 5] === k[2] && h[s + 6] === k[3];
  let s = hashV6(k[0]!, k[1]!, k[2]!, k[3]!, shiftFor(capacity));
  while (h[s * V6_SLOT_WORDS] !== EMPTY && !same(s * V6_SLOT_WORDS)) s = (s + 1) & (capacity - 1);
  h.set(value, s * V6_SLOT_WORDS);
  h.set(k, s * V6_SLOT_WORDS + 3);
  h[s * V6_SLOT_WORDS + 7] = 0;
  if (t.reasons6.length > 0) t.reasons6[s] = reason;
}

/** Tables for so many addresses of each family, at most half full; with reason side tables unless packed. */
function emptyTables(count4: number, count6: number, sideTables: boolean): AddressTables {
  const [c4, c6] = [capacityFor(count4), capacityFor(count6)];
  return {
    hash4: new Uint32Array(c4 * V4_SLOT_WORDS).fill(EMPTY),
    hash6: new Uint32Array(c6 * V6_SLOT_WORDS).fill(EMPTY),
    reasons4: sideTables ? new Uint32Array(c4).fill(EMPTY) : new Uint32Array(0),
    reasons6: sideTables ? new Uint32Array(c6).fill(EMPTY) : new Uint32Array(0),
  };
}

/** A slot's first word: the peer class, with the reason class in the high half when the tables pack them. */
export function slotWordOf(peer: number, reason: number, packed: boolean): number {
  return packed ? (peer | (reason << 16)) >>> 0 : peer;
}

/** Are the tables at most half full with so many addresses of each family? */
export function roomFor(t: AddressTables, counts: { readonly 4: number; readonly 6: number }): boolean {
  return counts[4] * 2 <= t.hash4.length / V4_SLOT_WORDS - 1 && counts[6] * 2 <= t.hash6.length / V6_SLOT_WORDS - 1;
}

/** Takes addresses out of the tables (those not there are skipped). */
export function removeAddresses(t: AddressTables, ips: Iterable<IPAddress>): void {
  const words = new Uint32Array(4);
  for (const ip of ips) {
    writeAddress(words, 0, ip);
    if (ip.family === 4) removeV4(t, words[0]!);
    else removeV6(t, words);
  }
}

/** Puts entries into the tables (an address there already gets the entry's value); the caller keeps them at most half full. */
export function insertEntries(t: AddressTables, entries: Iterable<AddressEntry>): void {
  const words = new Uint32Array(4);
  for (const { ip, value, reason } of entries) {
    writeAddress(words, 0, ip);
    if (ip.family === 4) insertV4(t, words[0]!, value, reason);
    else insertV6(t, words, value, reason);
  }
}

/** One pod address as the address tables hold it. */
export interface AddressEntry {
  readonly ip: IPAddress;
  /** Slot word (peer class, packed with the reason class when the tables are), egress and ingress profile. */
  readonly value: SlotValue;
  /** Reason class, for the side tables of unpacked bundles. */
  readonly reason: number;
}

/**
 * The pod address tables: each address with its slot value; unpacked, beside each table the
 * reason class of every slot (EMPTY where the slot is).
 */
export function buildAddressTables(entries: Iterable<AddressEntry>, packed: boolean): AddressTables {
  const list = [...entries];
  const count4 = list.filter((e) => e.ip.family === 4).length;
  const t = emptyTables(count4, list.length - count4, !packed);
  insertEntries(t, list);
  return t;
}
