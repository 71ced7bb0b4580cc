/**
 * Reading a bundle from the host side: what the core's address lookup finds for a pod address
 * (the JS twin of assembly/lookup.ts's hash probe). Tools use it to group addresses the tables
 * cannot tell apart.
 */
import { sectionWords } from "../compile/bundle.js";
import { EMPTY, V4_SLOT_WORDS, V6_SLOT_WORDS, hashV4, hashV6, shiftFor } from "../compile/hash.js";
import { Meta, Section } from "../compile/layout.js";
import type { IPAddress } from "../model/types.js";
import { writeAddress } from "./batch.js";

export interface BundleView {
  /** Reason classes packed into the slots' first word (bundle META). */
  readonly packed: boolean;
  readonly hash4: Uint32Array;
  readonly hash6: Uint32Array;
  readonly reasons4: Uint32Array;
  readonly reasons6: Uint32Array;
}

/** The sections address lookups need, copied out of a bundle (little-endian words). */
export function viewBundle(bundle: Uint8Array): BundleView {
  const words = (id: number) => {
    const w = sectionWords(bundle, id);
    if (!w) throw new Error(`invalid bundle: no section ${id}`);
    return w;
  };
  return { packed: words(Section.META)[Meta.REASON_IN_SLOT] === 1, hash4: words(Section.HASH4), hash6: words(Section.HASH6), reasons4: words(Section.REASONS4), reasons6: words(Section.REASONS6) };
}

/**
 * What the core knows of a pod address: peer class, egress profile, ingress profile, reason
 * class; undefined for an address no pod owns.
 */
export function podSlot(b: BundleView, ip: IPAddress): readonly [number, number, number, number] | undefined {
  const w = new Uint32Array(4);
  writeAddress(w, 0, ip);
  const [table, reasons, slotWords] = ip.family === 4 ? [b.hash4, b.reasons4, V4_SLOT_WORDS] : [b.hash6, b.reasons6, V6_SLOT_WORDS];
  const capacity = table.length / slotWords;
  const shift = shiftFor(capacity);
  let s = ip.family === 4 ? hashV4(w[0]!, shift) : hashV6(w[0]!, w[1]!, w[2]!, w[3]!, shift);
  for (;;) {
    const at = s * slotWords;
    if (table[at] === EMPTY) return undefined;
    const key = table.subarray(at + 3, at + 3 + (ip.family === 4 ? 1 : 4));
    if (!key.every((k, i) => k === w[i])) {
      s = (s + 1) & (capacity - 1);
      continue;
    }
    const first = table[at]!;
    return b.packed ? [first & 0xffff, table[at + 1]!, table[at + 2]!, first >>> 16] : [first, table[at + 1]!, table[at + 2]!, reasons[s]!];
  }
}
