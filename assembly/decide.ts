// One decision (SEMANTICS.md "The decision"): the source's egress must allow the destination
// and the destination's ingress must allow the source; outside addresses have no policies; a
// pod reaching its own address is always allowed. Each isolated side is one row lookup:
// profile × port class → row, then the far side's peer class bit in that row.
import { ALLOW, DENY, ENDPOINT_EGRESS, ENDPOINT_INGRESS, INVALID, OPEN, PROTOCOLS } from "./layout";
import { lookup4, lookup6 } from "./lookup";
import { Tables } from "./tables";

// @ts-ignore: decorator
@inline
function allows(t: Tables, profile: u32, portClass: u32, peerClass: u32): bool {
  if (profile == OPEN) return true;
  const cell = <usize>profile * t.portClasses + portClass;
  const row = t.profileCellShift == 1 ? <u32>load<u16>(t.profileRows + (cell << 1)) : load<u32>(t.profileRows + (cell << 2));
  const word = load<u32>(t.rowBits + ((<usize>row * t.rowWords + (peerClass >> 5)) << 2));
  return ((word >> (peerClass & 31)) & 1) != 0;
}

/**
 * meta = port | protocol << 16 | family << 24; src and dst point at 4 address words each.
 * Returns ALLOW, DENY, or INVALID for a protocol or family the core does not know.
 */
// @ts-ignore: decorator
@inline
export function decideFlow(t: Tables, meta: u32, src: usize, dst: usize): u8 {
  const protocol = (meta >> 16) & 0xff;
  const family = meta >> 24;
  if (protocol >= PROTOCOLS || family > 1) return INVALID;
  const s = family ? lookup6(t, src) : lookup4(t, load<u32>(src));
  const d = family ? lookup6(t, dst) : lookup4(t, load<u32>(dst));
  return decideSides(t, meta, s, d);
}

/** The same for an IPv4 flow given as two addresses: no memory round trip for one call. */
// @ts-ignore: decorator
@inline
export function decideFlow4(t: Tables, meta: u32, src: u32, dst: u32): u8 {
  if (((meta >> 16) & 0xff) >= PROTOCOLS || (meta >> 24) != 0) return INVALID;
  return decideSides(t, meta, lookup4(t, src), lookup4(t, dst));
}

/**
 * s and d are endpoints (see lookup.ts). The same endpoint on both sides is one address: a pod
 * reaching itself (allowed), or two outside addresses (no policy applies to either).
 */
// @ts-ignore: decorator
@inline
function decideSides(t: Tables, meta: u32, s: usize, d: usize): u8 {
  if (s == d) return ALLOW;
  const protocol = (meta >> 16) & 0xff;
  const portClass = <u32>load<u16>(t.portTable + (<usize>((protocol << 16) | (meta & 0xffff)) << 1));
  if (!allows(t, load<u32>(s, ENDPOINT_EGRESS), portClass, load<u32>(d) & t.peerMask)) return DENY;
  if (!allows(t, load<u32>(d, ENDPOINT_INGRESS), portClass, load<u32>(s) & t.peerMask)) return DENY;
  return ALLOW;
}
