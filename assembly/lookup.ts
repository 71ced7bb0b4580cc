// Address → endpoint: the pointer to what a decision needs of that side (peer class, egress
// and ingress profile; ENDPOINT_* offsets). Pod addresses are found in an exact-match hash
// whose slots hold exactly that (linear probing; the compiler guarantees an empty slot, so
// every probe ends); any other address goes through its family's multibit trie to a peer
// class: its leaf is an outside index, whose endpoint (no profiles) the core built at load.
// Hash functions mirror src/compile/hash.ts.
import { EMPTY, HASH4_SLOT_BYTES, HASH6_SLOT_BYTES, LEAF, NODE_BYTES, OUTSIDE_BYTES } from "./layout";
import { Tables } from "./tables";

// @ts-ignore: decorator
@inline
export function hashV4(key: u32, shift: u32): u32 {
  return (key * 0x9e3779b1) >> shift;
}

// @ts-ignore: decorator
@inline
export function hashV6(k0: u32, k1: u32, k2: u32, k3: u32, shift: u32): u32 {
  const mixed = k0 ^ (k1 * 0x85ebca6b) ^ (k2 * 0xc2b2ae35) ^ (k3 * 0x27d4eb2f);
  return (mixed * 0x9e3779b1) >> shift;
}

// @ts-ignore: decorator
@inline
export function lookup4(t: Tables, a: u32): usize {
  const hash = t.hash4;
  const mask = t.hash4Mask;
  let s = hashV4(a, t.hash4Shift);
  while (true) {
    const slot = hash + <usize>s * HASH4_SLOT_BYTES;
    const peer = load<u32>(slot);
    if (peer == EMPTY) break;
    if (load<u32>(slot, 12) == a) return slot;
    s = (s + 1) & mask;
  }
  const rootBits = t.trie4RootBits;
  let e = load<u32>(t.trie4 + (<usize>(a >> (32 - rootBits)) << 2));
  let shift = 32 - rootBits;
  const nodes = t.nodes;
  while (!(e & LEAF)) {
    shift -= 8;
    e = load<u32>(nodes + <usize>e * NODE_BYTES + (<usize>((a >> shift) & 0xff) << 2));
  }
  return t.outside + <usize>(e & ~LEAF) * OUTSIDE_BYTES;
}

// @ts-ignore: decorator
@inline
function byteOf(p: usize, k: u32): u32 {
  return (load<u32>(p + ((<usize>k >> 2) << 2)) >> (24 - ((k & 3) << 3))) & 0xff;
}

export function lookup6(t: Tables, p: usize): usize {
  const k0 = load<u32>(p);
  const k1 = load<u32>(p, 4);
  const k2 = load<u32>(p, 8);
  const k3 = load<u32>(p, 12);
  const hash = t.hash6;
  const mask = t.hash6Mask;
  let s = hashV6(k0, k1, k2, k3, t.hash6Shift);
  while (true) {
    const slot = hash + <usize>s * HASH6_SLOT_BYTES;
    if (load<u32>(slot) == EMPTY) break;
    if (load<u32>(slot, 12) == k0 && load<u32>(slot, 16) == k1 && load<u32>(slot, 20) == k2 && load<u32>(slot, 24) == k3) return slot;
    s = (s + 1) & mask;
  }
  const rootBits = t.trie6RootBits;
  let e = load<u32>(t.trie6 + (<usize>(k0 >> (32 - rootBits)) << 2));
  let k: u32 = rootBits >> 3;
  const nodes = t.nodes;
  while (!(e & LEAF)) {
    e = load<u32>(nodes + <usize>e * NODE_BYTES + (<usize>byteOf(p, k) << 2));
    k++;
  }
  return t.outside + <usize>(e & ~LEAF) * OUTSIDE_BYTES;
}
