// Reasons (explainBatch): the verdict of decide.ts, and per direction why, walking a side's
// profile in the reference evaluator's order: its admin-tier rules (by priority, first match:
// Allow and Deny decide, Pass hands over to NetworkPolicy and is remembered); its
// NetworkPolicy rules where they isolate (policies in cluster order, rules in order: the first
// that matches allowed, none denied — named by the profile, whose policies the host lists);
// otherwise its baseline rules (Allow and Deny decide; Pass, or no match, allows). A rule
// matches when one of its parts holds the flow's port class and the far side's reason class.
import {
  ALLOW, DENY, ENDPOINT_EGRESS, ENDPOINT_INGRESS, HASH4_SLOT_BYTES, HASH6_SLOT_BYTES, INVALID, OPEN,
  OUTSIDE_REASON, PART_PASS, PROFILE_ISOLATED, PROFILE_PARTS_BYTES, PROTOCOLS, REASON_DENIED, REASON_INVALID, REASON_NONE,
  REASON_SELF, REASON_TIER_DENY,
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

// The Pass rule the last sideReason went through: 0, or PART_PASS | tier rule.
let passed: u32 = 0;

// @ts-ignore: decorator
@inline
function inRow(t: Tables, row: u32, reasonClass: u32): bool {
  return bit(t.reasonRowBits + ((<usize>row * t.reasonRowWords) << 2), reasonClass);
}

// @ts-ignore: decorator
@inline
function partMatches(t: Tables, part: usize, portClass: u32, farClass: u32): bool {
  return bit(part + 4, portClass) && inRow(t, load<u32>(part + ((<usize>t.portWords + 1) << 2)), farClass);
}

/**
 * One direction of a side (`profile`), `far` the other side; sets `passed`. The walk decides
 * on its own, so the verdict rows are not read: the differential tests hold both tables to
 * the reference.
 */
function sideReason(t: Tables, profile: u32, portClass: u32, far: usize): u32 {
  passed = 0;
  if (profile == OPEN) return REASON_NONE;
  const farClass = reasonClassOf(t, far);
  const stride = (<usize>t.portWords + 2) << 2;
  const run = t.profileParts + <usize>profile * PROFILE_PARTS_BYTES;
  const npWord = load<u32>(run, 4);
  let part = t.parts + <usize>load<u32>(run) * stride;
  const np = t.parts + <usize>(npWord & ~PROFILE_ISOLATED) * stride;
  const base = t.parts + <usize>load<u32>(run, 8) * stride;
  const end = t.parts + <usize>load<u32>(run, 12) * stride;
  // A stretch whose union row lacks the far side has no matching part: skip it whole.
  if (!inRow(t, load<u32>(run, 16), farClass)) part = np;
  for (; part < np; part += stride) {
    if (!partMatches(t, part, portClass, farClass)) continue;
    const code = load<u32>(part);
    if ((code & 0xf0000000) != PART_PASS) return code;
    passed = code;
    break;
  }
  if (npWord & PROFILE_ISOLATED) {
    if (inRow(t, load<u32>(run, 20), farClass)) {
      for (part = np; part < base; part += stride) if (partMatches(t, part, portClass, farClass)) return load<u32>(part);
    }
    return REASON_DENIED | profile;
  }
  if (!inRow(t, load<u32>(run, 24), farClass)) return REASON_NONE;
  for (part = base; part < end; part += stride) {
    if (!partMatches(t, part, portClass, farClass)) continue;
    const code = load<u32>(part);
    return (code & 0xf0000000) == PART_PASS ? REASON_NONE : code;
  }
  return REASON_NONE;
}

// @ts-ignore: decorator
@inline
function denies(code: u32): bool {
  return (code & 0xc0000000) == REASON_DENIED || (code & 0xf0000000) == REASON_TIER_DENY;
}

/**
 * The verdict of a flow; its two reasons go to egress and ingress (u32 each) and, when `passes`
 * is not 0, the Pass rules on the way to passes (egress) and passes + 4 (ingress): 0 or 1 + tier rule.
 */
export function explainFlow(t: Tables, meta: u32, src: usize, dst: usize, egress: usize, ingress: usize, passes: usize): u8 {
  const protocol = (meta >> 16) & 0xff;
  const family = meta >> 24;
  if (protocol >= PROTOCOLS || family > 1) {
    store<u32>(egress, REASON_INVALID);
    store<u32>(ingress, REASON_INVALID);
    if (passes) store<u64>(passes, 0);
    return INVALID;
  }
  const s = family ? lookup6(t, src) : lookup4(t, load<u32>(src));
  const d = family ? lookup6(t, dst) : lookup4(t, load<u32>(dst));
  if (s == d) {
    // One address: a pod reaching itself, or outside addresses no policy applies to.
    const why = inHash4(t, s) || inHash6(t, s) ? REASON_SELF : REASON_NONE;
    store<u32>(egress, why);
    store<u32>(ingress, why);
    if (passes) store<u64>(passes, 0);
    return ALLOW;
  }
  const portClass = <u32>load<u16>(t.portTable + (<usize>((protocol << 16) | (meta & 0xffff)) << 1));
  const e = sideReason(t, load<u32>(s, ENDPOINT_EGRESS), portClass, d);
  if (passes) store<u32>(passes, passed ? (passed & ~PART_PASS) + 1 : 0);
  const i = sideReason(t, load<u32>(d, ENDPOINT_INGRESS), portClass, s);
  if (passes) store<u32>(passes, passed ? (passed & ~PART_PASS) + 1 : 0, 4);
  store<u32>(egress, e);
  store<u32>(ingress, i);
  return denies(e) || denies(i) ? DENY : ALLOW;
}
