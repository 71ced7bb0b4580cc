// Validates a bundle once, completely, before any of it is used: header, checksum, section
// table, then every table's size and every index stored in it. Only then are the tables
// installed. After this, the hot path reads them without a single bounds check.
import {
  E_ADDRESSES, E_CHECKSUM, E_LENGTH, E_MAGIC, E_MEMORY, E_PORTS, E_SECTIONS, E_SIZES, E_TRIE, E_VERDICTS, E_VERSION, EMPTY,
  ENDPOINT_EGRESS, ENDPOINT_INGRESS, ENDPOINT_PEER, FORMAT_VERSION, HASH4_SLOT_BYTES, HASH6_SLOT_BYTES, HEADER_BYTES, LEAF,
  MAGIC, MAX_SECTIONS, META_HASH4_CAPACITY, META_HASH6_CAPACITY, META_NODES, META_PEER_CLASSES, META_PORT_CLASSES,
  META_PROFILE_CELL_BYTES, META_PROFILES, META_ROW_WORDS, META_ROWS, META_TRIE4_ROOT_BITS, META_TRIE6_ROOT_BITS, META_WORDS, NODE_BYTES, OK, OPEN,
  OUTSIDE_BYTES, PROTOCOLS, SECTION_COUNT, SECTION_ENTRY_BYTES, SECTION_HASH4, SECTION_HASH6, SECTION_META, SECTION_NODES,
  SECTION_PORT_CUTS, SECTION_PROFILES, SECTION_ROWS, SECTION_TRIE4, SECTION_TRIE6,
  E_REASONS, META_OUTSIDE, META_PARTS, META_REASON_CLASSES, META_REASON_ROW_WORDS, META_REASON_ROWS,
  META_RULES, OUTSIDE_REASON, REASON_LIMIT, SECTION_OUTSIDE, SECTION_PARTS, SECTION_PROFILE_PARTS,
  SECTION_REASON_ROWS, SECTION_REASONS4, SECTION_REASONS6, META_REASON_IN_SLOT,
  META_TIER_RULES, PART_PASS, PROFILE_ISOLATED, PROFILE_PARTS_BYTES, REASON_RULE, REASON_TIER_ALLOW, REASON_TIER_DENY, TIER_LIMIT,
} from "./layout";
import { allocate, mark, reset } from "./memory";
import { Tables, current, install, staging } from "./tables";

// Section addresses and lengths found by readSections, indexed by section id.
const sectionAtBase: usize = memory.data(<i32>((SECTION_COUNT + 1) * 4), 4);
const sectionLengthBase: usize = memory.data(<i32>((SECTION_COUNT + 1) * 4), 4);

// @ts-ignore: decorator
@inline
function sectionAt(id: u32): usize {
  return <usize>load<u32>(sectionAtBase + (<usize>id << 2));
}

// @ts-ignore: decorator
@inline
function sectionLength(id: u32): u32 {
  return load<u32>(sectionLengthBase + (<usize>id << 2));
}

function setSection(id: u32, at: usize, length: u32): void {
  store<u32>(sectionAtBase + (<usize>id << 2), <u32>at);
  store<u32>(sectionLengthBase + (<usize>id << 2), length);
}

function checksum(ptr: usize, len: u32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let p = ptr + 16; p < ptr + len; p += 4) h = (h ^ load<u32>(p)) * 0x01000193;
  return h;
}

function readSections(ptr: usize, len: u32): u32 {
  const count = load<u32>(ptr, 16);
  if (count > MAX_SECTIONS || <u64>HEADER_BYTES + <u64>count * SECTION_ENTRY_BYTES > <u64>len) return E_SECTIONS;
  for (let id: u32 = 0; id <= SECTION_COUNT; id++) setSection(id, 0, 0xffffffff);
  for (let i: u32 = 0; i < count; i++) {
    const e = ptr + HEADER_BYTES + i * SECTION_ENTRY_BYTES;
    const id = load<u32>(e);
    const offset = load<u32>(e, 4);
    const length = load<u32>(e, 8);
    if (id == 0 || id > SECTION_COUNT || sectionLength(id) != 0xffffffff) return E_SECTIONS;
    if ((offset & 3) != 0 || (length & 3) != 0 || <u64>offset + <u64>length > <u64>len) return E_SECTIONS;
    setSection(id, ptr + offset, length);
  }
  for (let id: u32 = 1; id <= SECTION_COUNT; id++) if (sectionLength(id) == 0xffffffff) return E_SECTIONS;
  return OK;
}

function sized(id: u32, bytes: u64): bool {
  return <u64>sectionLength(id) == bytes;
}

function readMeta(t: Tables): u32 {
  if (!sized(SECTION_META, <u64>META_WORDS * 4)) return E_SIZES;
  const m = sectionAt(SECTION_META);
  t.peerClasses = load<u32>(m + META_PEER_CLASSES * 4);
  t.rowWords = load<u32>(m + META_ROW_WORDS * 4);
  t.profiles = load<u32>(m + META_PROFILES * 4);
  const cellBytes = load<u32>(m + META_PROFILE_CELL_BYTES * 4);
  if (cellBytes != 2 && cellBytes != 4) return E_SIZES;
  t.profileCellShift = cellBytes == 2 ? 1 : 2;
  t.portClasses = load<u32>(m + META_PORT_CLASSES * 4);
  t.rows = load<u32>(m + META_ROWS * 4);
  t.trie4RootBits = load<u32>(m + META_TRIE4_ROOT_BITS * 4);
  t.trie6RootBits = load<u32>(m + META_TRIE6_ROOT_BITS * 4);
  t.nodeCount = load<u32>(m + META_NODES * 4);
  const cap4 = load<u32>(m + META_HASH4_CAPACITY * 4);
  const cap6 = load<u32>(m + META_HASH6_CAPACITY * 4);
  t.outsideCount = load<u32>(m + META_OUTSIDE * 4);
  t.reasonClasses = load<u32>(m + META_REASON_CLASSES * 4);
  t.reasonRowWords = load<u32>(m + META_REASON_ROW_WORDS * 4);
  t.reasonRows = load<u32>(m + META_REASON_ROWS * 4);
  t.rules = load<u32>(m + META_RULES * 4);
  t.partCount = load<u32>(m + META_PARTS * 4);
  t.tierRules = load<u32>(m + META_TIER_RULES * 4);
  if (t.tierRules >= TIER_LIMIT) return E_SIZES;
  t.portWords = (t.portClasses + 31) >> 5;
  t.reasonInSlot = load<u32>(m + META_REASON_IN_SLOT * 4);
  if (t.reasonInSlot > 1) return E_SIZES;
  // Packed slots need both classes in 16 bits, and a used slot never reads as EMPTY.
  if (t.reasonInSlot == 1 && (t.peerClasses >= 0xffff || t.reasonClasses > 0x10000)) return E_SIZES;
  t.peerMask = t.reasonInSlot == 1 ? 0xffff : 0xffffffff;
  if (t.outsideCount == 0 || t.outsideCount >= LEAF || t.reasonClasses == 0 || <u64>t.reasonRowWords * 32 < <u64>t.reasonClasses) return E_SIZES;
  if (t.rules >= REASON_LIMIT || t.profiles >= REASON_LIMIT) return E_SIZES;
  if (t.peerClasses == 0 || t.peerClasses >= LEAF || <u64>t.rowWords * 32 < <u64>t.peerClasses) return E_SIZES;
  if (t.rows == 0 || t.portClasses == 0 || t.portClasses > PROTOCOLS * 65536) return E_SIZES;
  if (!validRootBits(t.trie4RootBits) || !validRootBits(t.trie6RootBits)) return E_SIZES;
  if (!hashCapacities(t, cap4, cap6)) return E_SIZES;
  const ok =
    sized(SECTION_PORT_CUTS, (<u64>PROTOCOLS + <u64>t.portClasses) * 4) &&
    sized(SECTION_HASH4, <u64>cap4 * HASH4_SLOT_BYTES) &&
    sized(SECTION_HASH6, <u64>cap6 * HASH6_SLOT_BYTES) &&
    sized(SECTION_TRIE4, (<u64>1 << t.trie4RootBits) * 4) &&
    sized(SECTION_TRIE6, (<u64>1 << t.trie6RootBits) * 4) &&
    sized(SECTION_NODES, <u64>t.nodeCount * NODE_BYTES) &&
    sized(SECTION_PROFILES, ((<u64>t.profiles * <u64>t.portClasses << t.profileCellShift) + 3) & ~(<u64>3)) &&
    sized(SECTION_ROWS, <u64>t.rows * <u64>t.rowWords * 4) &&
    sized(SECTION_OUTSIDE, <u64>t.outsideCount * 8) &&
    sized(SECTION_REASONS4, t.reasonInSlot == 1 ? 0 : <u64>cap4 * 4) &&
    sized(SECTION_REASONS6, t.reasonInSlot == 1 ? 0 : <u64>cap6 * 4) &&
    sized(SECTION_PROFILE_PARTS, <u64>t.profiles * PROFILE_PARTS_BYTES) &&
    sized(SECTION_PARTS, <u64>t.partCount * (<u64>t.portWords + 2) * 4) &&
    sized(SECTION_REASON_ROWS, <u64>t.reasonRows * <u64>t.reasonRowWords * 4);
  if (!ok) return E_SIZES;
  t.outsideSection = sectionAt(SECTION_OUTSIDE);
  t.reasons4 = sectionAt(SECTION_REASONS4);
  t.reasons6 = sectionAt(SECTION_REASONS6);
  t.profileParts = sectionAt(SECTION_PROFILE_PARTS);
  t.parts = sectionAt(SECTION_PARTS);
  t.reasonRowBits = sectionAt(SECTION_REASON_ROWS);
  t.hash4 = sectionAt(SECTION_HASH4);
  t.hash6 = sectionAt(SECTION_HASH6);
  t.trie4 = sectionAt(SECTION_TRIE4);
  t.trie6 = sectionAt(SECTION_TRIE6);
  t.nodes = sectionAt(SECTION_NODES);
  t.profileRows = sectionAt(SECTION_PROFILES);
  t.rowBits = sectionAt(SECTION_ROWS);
  return OK;
}

// Address table capacities (powers of two, 4 to 2^28 slots) and the masks and shifts they give.
function hashCapacities(t: Tables, cap4: u32, cap6: u32): bool {
  if (cap4 < 4 || cap4 > 0x10000000 || popcnt(cap4) != 1 || cap6 < 4 || cap6 > 0x10000000 || popcnt(cap6) != 1) return false;
  t.hash4Mask = cap4 - 1;
  t.hash4Shift = 32 - ctz(cap4);
  t.hash6Mask = cap6 - 1;
  t.hash6Shift = 32 - ctz(cap6);
  return true;
}

// Each slot keeps its own port table and outside buffer, allocated the first time it needs them.
function slotBuffers(t: Tables, outsideCount: u32): bool {
  if (t.portTable == 0) t.portTable = allocate(<usize>PROTOCOLS << 17);
  if (t.outside == 0 || t.outsideCapacity < outsideCount) {
    t.outside = allocate(<usize>outsideCount * OUTSIDE_BYTES);
    t.outsideCapacity = t.outside == 0 ? 0 : outsideCount;
  }
  return t.portTable != 0 && t.outside != 0;
}

function validRootBits(bits: u32): bool {
  return bits == 8 || bits == 16;
}

// Expands the per-protocol class starts into a u16 class per (protocol, port).
function buildPortTable(t: Tables): u32 {
  let p = sectionAt(SECTION_PORT_CUTS);
  const end = p + sectionLength(SECTION_PORT_CUTS);
  let base: u32 = 0;
  for (let proto: u32 = 0; proto < PROTOCOLS; proto++) {
    if (p + 4 > end) return E_PORTS;
    const n = load<u32>(p);
    p += 4;
    if (n == 0 || <u64>p + <u64>n * 4 > <u64>end || load<u32>(p) != 0) return E_PORTS;
    for (let i: u32 = 1; i < n; i++) {
      const prev = load<u32>(p + (i - 1) * 4);
      const cut = load<u32>(p + i * 4);
      if (cut <= prev || cut > 65535) return E_PORTS;
    }
    for (let i: u32 = 0; i < n; i++) {
      const from = load<u32>(p + i * 4);
      const to: u32 = i + 1 < n ? load<u32>(p + (i + 1) * 4) : 65536;
      const cls = base + i;
      if (cls > 0xffff) return E_PORTS;
      for (let port = from; port < to; port++) store<u16>(t.portTable + ((<usize>(proto << 16) | port) << 1), <u16>cls);
    }
    base += n;
    p += n * 4;
  }
  return base == t.portClasses ? OK : E_PORTS;
}

function checkAddresses(t: Tables): u32 {
  if (!checkHash(t, t.hash4, t.hash4Mask + 1, HASH4_SLOT_BYTES, t.reasons4)) return E_ADDRESSES;
  if (!checkHash(t, t.hash6, t.hash6Mask + 1, HASH6_SLOT_BYTES, t.reasons6)) return E_ADDRESSES;
  return OK;
}

// Every used slot names a peer class, two profiles (or OPEN) and a reason class beside it; at
// least one slot is empty.
function checkHash(t: Tables, table: usize, capacity: u32, slotBytes: u32, reasons: usize): bool {
  let empty = false;
  for (let s: u32 = 0; s < capacity; s++) {
    const slot = table + <usize>s * slotBytes;
    const word = load<u32>(slot, ENDPOINT_PEER);
    if (word == EMPTY) {
      empty = true;
      continue;
    }
    const peer = word & t.peerMask;
    const reason = t.reasonInSlot == 1 ? word >>> 16 : load<u32>(reasons + (<usize>s << 2));
    const egress = load<u32>(slot, ENDPOINT_EGRESS);
    const ingress = load<u32>(slot, ENDPOINT_INGRESS);
    if (peer >= t.peerClasses || (egress != OPEN && egress >= t.profiles) || (ingress != OPEN && ingress >= t.profiles)) return false;
    if (reason >= t.reasonClasses) return false;
  }
  return empty;
}

// One endpoint per outside index (the trie's leaves): its peer class, no profiles, its reason class.
function buildOutside(t: Tables): u32 {
  for (let o: u32 = 0; o < t.outsideCount; o++) {
    const peer = load<u32>(t.outsideSection + (<usize>o << 3));
    const reason = load<u32>(t.outsideSection + (<usize>o << 3), 4);
    if (peer >= t.peerClasses) return E_TRIE;
    if (reason >= t.reasonClasses) return E_REASONS;
    const e = t.outside + <usize>o * OUTSIDE_BYTES;
    store<u32>(e, t.reasonInSlot == 1 ? peer | (reason << 16) : peer, ENDPOINT_PEER);
    store<u32>(e, OPEN, ENDPOINT_EGRESS);
    store<u32>(e, OPEN, ENDPOINT_INGRESS);
    store<u32>(e, reason, OUTSIDE_REASON);
  }
  return OK;
}

// Each profile's parts lie in PARTS in order, one run after another: admin-tier parts, then
// NetworkPolicy parts, then baseline parts. Every code names a rule of its kind, every row is in range.
function checkReasons(t: Tables): u32 {
  let previous: u32 = 0;
  for (let p: u32 = 0; p < t.profiles; p++) {
    const e = t.profileParts + <usize>p * PROFILE_PARTS_BYTES;
    const start = load<u32>(e);
    const np = load<u32>(e, 4) & ~PROFILE_ISOLATED;
    const base = load<u32>(e, 8);
    const end = load<u32>(e, 12);
    if (start != previous || np < start || base < np || end < base || end > t.partCount) return E_REASONS;
    for (let u: u32 = 16; u < 28; u += 4) if (load<u32>(e + u) >= t.reasonRows) return E_REASONS;
    if (load<u32>(e, 28) != 0) return E_REASONS;
    for (let q = start; q < end; q++) if (!validCode(t, partCode(t, q), q >= np && q < base)) return E_REASONS;
    previous = end;
  }
  if (previous != t.partCount) return E_REASONS;
  const stride = (<usize>t.portWords + 2) << 2;
  for (let q: u32 = 0; q < t.partCount; q++) {
    if (load<u32>(t.parts + <usize>q * stride + ((<usize>t.portWords + 1) << 2)) >= t.reasonRows) return E_REASONS;
  }
  return OK;
}

function partCode(t: Tables, q: u32): u32 {
  return load<u32>(t.parts + <usize>q * ((<usize>t.portWords + 2) << 2));
}

// NetworkPolicy parts name a rule; tier parts an admin or baseline rule with its action.
function validCode(t: Tables, code: u32, networkPolicy: bool): bool {
  if (networkPolicy) return (code & 0xc0000000) == REASON_RULE && (code & ~REASON_RULE) < t.rules;
  const kind = code & 0xf0000000;
  return (kind == REASON_TIER_ALLOW || kind == REASON_TIER_DENY || kind == PART_PASS) && (code & 0x0fffffff) < t.tierRules;
}

// Each node is reached from one family at one depth, children are numbered after their
// parent, leaves name an outside index, and the deepest nodes hold only leaves: every lookup ends.
function checkTries(t: Tables): u32 {
  const n = t.nodeCount;
  const scratch = mark();
  const depth = allocate(<usize>n * 2 + 2);
  if (depth == 0) return E_MEMORY;
  memory.fill(depth, 0, <usize>n * 2 + 2);
  let result = checkRoot(t, t.trie4, t.trie4RootBits, 1, depth);
  if (result == OK) result = checkRoot(t, t.trie6, t.trie6RootBits, 2, depth);
  for (let j: u32 = 0; result == OK && j < n; j++) {
    const d = load<u8>(depth + <usize>j * 2);
    if (d == 0) continue;
    const family = load<u8>(depth + <usize>j * 2 + 1);
    const rootBits = family == 1 ? t.trie4RootBits : t.trie6RootBits;
    const maxDepth: u32 = ((family == 1 ? 32 : 128) - rootBits) >> 3;
    for (let s: u32 = 0; s < 256 && result == OK; s++) {
      const e = load<u32>(t.nodes + <usize>j * NODE_BYTES + s * 4);
      result = checkEntry(t, e, j + 1, <u32>d + 1, maxDepth, family, depth);
    }
  }
  reset(scratch);
  return result;
}

function checkRoot(t: Tables, root: usize, rootBits: u32, family: u8, depth: usize): u32 {
  const maxDepth: u32 = ((family == 1 ? 32 : 128) - rootBits) >> 3;
  const slots: u32 = 1 << rootBits;
  for (let s: u32 = 0; s < slots; s++) {
    const r = checkEntry(t, load<u32>(root + s * 4), 0, 1, maxDepth, family, depth);
    if (r != OK) return r;
  }
  return OK;
}

function checkEntry(t: Tables, e: u32, minChild: u32, childDepth: u32, maxDepth: u32, family: u8, depth: usize): u32 {
  if (e & LEAF) return (e & ~LEAF) < t.outsideCount ? OK : E_TRIE;
  if (e < minChild || e >= t.nodeCount || childDepth > maxDepth) return E_TRIE;
  const at = depth + <usize>e * 2;
  const seen = load<u8>(at);
  if (seen == 0) {
    store<u8>(at, <u8>childDepth);
    store<u8>(at, family, 1);
    return OK;
  }
  return seen == childDepth && load<u8>(at, 1) == family ? OK : E_TRIE;
}

function checkVerdicts(t: Tables): u32 {
  const cells = <usize>t.profiles * t.portClasses;
  for (let i: usize = 0; i < cells; i++) {
    const row = t.profileCellShift == 1 ? <u32>load<u16>(t.profileRows + (i << 1)) : load<u32>(t.profileRows + (i << 2));
    if (row >= t.rows) return E_VERDICTS;
  }
  return OK;
}

/** Validates the bundle at [ptr, ptr + len) and installs it; returns 0 or an error code. */
export function loadBundle(ptr: usize, len: u32): u32 {
  if (len < HEADER_BYTES || (len & 3) != 0 || (ptr & 3) != 0) return E_LENGTH;
  if (<u64>ptr + <u64>len > (<u64>memory.size() << 16)) return E_LENGTH;
  if (load<u32>(ptr) != MAGIC) return E_MAGIC;
  if (load<u32>(ptr, 4) != FORMAT_VERSION) return E_VERSION;
  if (load<u32>(ptr, 8) != len) return E_LENGTH;
  if (checksum(ptr, len) != load<u32>(ptr, 12)) return E_CHECKSUM;
  let r = readSections(ptr, len);
  if (r != OK) return r;
  const t = staging();
  r = readMeta(t);
  if (r == OK) r = checkAddresses(t);
  if (r == OK) r = checkTries(t);
  if (r == OK) r = checkVerdicts(t);
  if (r == OK) r = checkReasons(t);
  if (r != OK) return r;
  if (!slotBuffers(t, t.outsideCount)) return E_MEMORY;
  r = buildPortTable(t);
  if (r == OK) r = buildOutside(t);
  if (r != OK) return r;
  install(t);
  return OK;
}

/**
 * Live updates of pod addresses: decide with new address tables (and, for unpacked bundles,
 * their reason classes) and everything else as installed. Only the new tables are validated,
 * against the installed counts; the installed tables stay in use until they pass, then one
 * switch installs a copy of them with the new address tables. The bytes must stay in place
 * while installed.
 */
export function updateAddresses(hash4: usize, cap4: u32, hash6: usize, cap6: u32, reasons4: usize, reasons6: usize): u32 {
  const from = current();
  const t = staging();
  const unpacked = from.reasonInSlot == 0;
  const top = <u64>memory.size() << 16;
  if (<u64>hash4 + <u64>cap4 * HASH4_SLOT_BYTES > top || <u64>hash6 + <u64>cap6 * HASH6_SLOT_BYTES > top) return E_LENGTH;
  if (unpacked && (<u64>reasons4 + (<u64>cap4 << 2) > top || <u64>reasons6 + (<u64>cap6 << 2) > top)) return E_LENGTH;
  if (!slotBuffers(t, from.outsideCount)) return E_MEMORY;
  // A copy of the installed tables, keeping the staging slot's own buffers (never shared).
  const portTable = t.portTable;
  const outside = t.outside;
  const outsideCapacity = t.outsideCapacity;
  memory.copy(changetype<usize>(t), changetype<usize>(from), offsetof<Tables>());
  t.portTable = portTable;
  t.outside = outside;
  t.outsideCapacity = outsideCapacity;
  memory.copy(portTable, from.portTable, <usize>PROTOCOLS << 17);
  memory.copy(outside, from.outside, <usize>from.outsideCount * OUTSIDE_BYTES);
  if (!hashCapacities(t, cap4, cap6)) return E_SIZES;
  t.hash4 = hash4;
  t.hash6 = hash6;
  if (unpacked) {
    t.reasons4 = reasons4;
    t.reasons6 = reasons6;
  }
  const r = checkAddresses(t);
  if (r != OK) return r;
  install(t);
  return OK;
}
