// Reasons (explainBatch): the verdict of decide.ts, and per direction why. An isolated side
// that allows names the first rule, in the reference evaluator's order (its policies in
// cluster order, their rules in order), with a part holding the flow's port class and the far
// side's reason class; an isolated side that denies names its profile (the host lists its
// policies).
import {
  ALLOW, DENY, ENDPOINT_EGRESS, ENDPOINT_INGRESS, HASH4_SLOT_BYTES, HASH6_SLOT_BYTES, INVALID, OPEN,
  OUTSIDE_REASON, PROTOCOLS, REASON_DENIED, REASON_INVALID, REASON_NONE, REASON_RULE, REASON_SELF,
} from "./layout";
import { lookup4, lookup6 } from "./lookup";
import { Tables } from "./tables";

// @ts-ignore: decorator
@inline
function inHash4(t: Tables, e: usize): bool {
  return e >= t.hash4 && e < t.hash4 + (<usize>(t.hash4Mask + 1)) * HASH4_SLOT_BYTES;
}

// @ts-ignore: decorator
@inline
function inHash6(t: Tables, e: usize): bool {
  return e >= t.hash6 && e < t.hash6 + (<usize>(t.hash6Mask + 1)) * HASH6_SLOT_BYTES;
}

function reasonClassOf(t: Tables, e: usize): u32 {
  if (t.reasonInSlot == 1) return load<u32>(e) >>> 16; // pod slots and outside endpoints alike
  if (inHash4(t, e)) return load<u32>(t.reasons4 + (((e - t.hash4) / HASH4_SLOT_BYTES) << 2));
  if (inHash6(t, e)) return load<u32>(t.reasons6 + (((e - t.hash6) / HASH6_SLOT_BYTES) << 2));
  return load<u32>(e, OUTSIDE_REASON);
}

// @ts-ignore: decorator
@inline
function bit(words: usize, i: u32): bool {
  return ((load<u32>(words + ((<usize>i >> 5) << 2)) >> (i & 31)) & 1) != 0;
}

/**
 * One direction of an isolated side (`profile`), `far` the other side. The walk over the
 * profile's parts decides on its own — the first match allows, none denies — so the verdict
 * rows are not read: the differential tests hold both tables to the reference.
 */
function sideReason(t: Tables, profile: u32, portClass: u32, far: usize): u32 {
  if (profile == OPEN) return REASON_NONE;
  const farClass = reasonClassOf(t, far);
  const stride = (<usize>t.portWords + 2) << 2;
  const end = t.parts + <usize>load<u32>(t.profileParts + (<usize>(profile + 1) << 2)) * stride;
  for (let part = t.parts + <usize>load<u32>(t.profileParts + (<usize>profile << 2)) * stride; part < end; part += stride) {
    if (!bit(part + 4, portClass)) continue;
    const row = load<u32>(part + ((<usize>t.portWords + 1) << 2));
    if (bit(t.reasonRowBits + ((<usize>row * t.reasonRowWords) << 2), farClass)) return REASON_RULE | load<u32>(part);
  }
  return REASON_DENIED | profile;
}

/** The verdict of flow i; its two reasons go to egress and ingress (u32 each). */
export function explainFlow(t: Tables, meta: u32, src: usize, dst: usize, egress: usize, ingress: usize): u8 {
  const protocol = (meta >> 16) & 0xff;
  const family = meta >> 24;
  if (protocol >= PROTOCOLS || family > 1) {
    store<u32>(egress, REASON_INVALID);
    store<u32>(ingress, REASON_INVALID);
    return INVALID;
  }
  const s = family ? lookup6(t, src) : lookup4(t, load<u32>(src));
  const d = family ? lookup6(t, dst) : lookup4(t, load<u32>(dst));
  if (s == d) {
    // One address: a pod reaching itself, or outside addresses no policy applies to.
    const why = inHash4(t, s) || inHash6(t, s) ? REASON_SELF : REASON_NONE;
    store<u32>(egress, why);
    store<u32>(ingress, why);
    return ALLOW;
  }
  const portClass = <u32>load<u16>(t.portTable + (<usize>((protocol << 16) | (meta & 0xffff)) << 1));
  const e = sideReason(t, load<u32>(s, ENDPOINT_EGRESS), portClass, d);
  const i = sideReason(t, load<u32>(d, ENDPOINT_INGRESS), portClass, s);
  store<u32>(egress, e);
  store<u32>(ingress, i);
  return (e & 0xc0000000) == REASON_DENIED || (i & 0xc0000000) == REASON_DENIED ? DENY : ALLOW;
}
