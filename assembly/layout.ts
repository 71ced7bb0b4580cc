// The bundle format, version 4: the AssemblyScript mirror of src/compile/layout.ts.
// BUNDLE.md documents it; the round-trip tests hold the two files together.

export const MAGIC: u32 = 0x4257504e; // "NPWB"
export const FORMAT_VERSION: u32 = 4;
export const HEADER_BYTES: u32 = 20;
export const SECTION_ENTRY_BYTES: u32 = 12;
export const MAX_SECTIONS: u32 = 64;

export const SECTION_META: u32 = 1;
export const SECTION_PORT_CUTS: u32 = 2;
export const SECTION_HASH4: u32 = 3;
export const SECTION_HASH6: u32 = 4;
export const SECTION_TRIE4: u32 = 5;
export const SECTION_TRIE6: u32 = 6;
export const SECTION_NODES: u32 = 7;
export const SECTION_PROFILES: u32 = 8;
export const SECTION_ROWS: u32 = 9;
export const SECTION_OUTSIDE: u32 = 10;
export const SECTION_REASONS4: u32 = 11;
export const SECTION_REASONS6: u32 = 12;
export const SECTION_PROFILE_PARTS: u32 = 13;
export const SECTION_PARTS: u32 = 14;
export const SECTION_REASON_ROWS: u32 = 15;
export const SECTION_NAMES: u32 = 16;
export const SECTION_COUNT: u32 = 16;

// Word offsets inside META.
export const META_PEER_CLASSES: u32 = 0;
export const META_ROW_WORDS: u32 = 1;
export const META_PROFILES: u32 = 2;
export const META_PORT_CLASSES: u32 = 3;
export const META_ROWS: u32 = 4;
export const META_TRIE4_ROOT_BITS: u32 = 5;
export const META_TRIE6_ROOT_BITS: u32 = 6;
export const META_NODES: u32 = 7;
export const META_HASH4_CAPACITY: u32 = 8;
export const META_HASH6_CAPACITY: u32 = 9;
export const META_PROFILE_CELL_BYTES: u32 = 10; // 2 or 4
export const META_OUTSIDE: u32 = 11;
export const META_REASON_CLASSES: u32 = 12;
export const META_REASON_ROW_WORDS: u32 = 13;
export const META_REASON_ROWS: u32 = 14;
export const META_RULES: u32 = 15;
export const META_PARTS: u32 = 16;
export const META_REASON_IN_SLOT: u32 = 17; // 1: slot word 0 = peer | reason << 16
export const META_TIER_RULES: u32 = 18;
export const META_WORDS: u32 = 19;

// An endpoint, as every lookup returns it: a pod address's hash slot, or the entry the core
// builds at load for each outside index (a trie leaf). Same first three words in both; an
// outside entry's fourth word is its reason class (a slot's is in REASONS4/REASONS6).
export const ENDPOINT_PEER: u32 = 0;
export const ENDPOINT_EGRESS: u32 = 4;
export const ENDPOINT_INGRESS: u32 = 8;
export const OUTSIDE_BYTES: u32 = 16;
export const OUTSIDE_REASON: u32 = 12;
export const HASH4_SLOT_BYTES: u32 = 16; // peer class, egress, ingress, address
export const HASH6_SLOT_BYTES: u32 = 32; // peer class, egress, ingress, 4 address words, 0
export const EMPTY: u32 = 0xffffffff; // peer class of an empty slot
export const NODE_BYTES: u32 = 1024;
export const LEAF: u32 = 0x80000000;
export const OPEN: u32 = 0xffffffff;
export const PROTOCOLS: u32 = 3;

// Load error codes (src/compile/layout.ts LOAD_ERRORS has their words).
export const OK: u32 = 0;
export const E_MAGIC: u32 = 1;
export const E_VERSION: u32 = 2;
export const E_LENGTH: u32 = 3;
export const E_CHECKSUM: u32 = 4;
export const E_SECTIONS: u32 = 5;
export const E_SIZES: u32 = 6;
export const E_PORTS: u32 = 7;
export const E_ADDRESSES: u32 = 8;
export const E_TRIE: u32 = 9;
export const E_VERDICTS: u32 = 10;
export const E_MEMORY: u32 = 11;
export const E_REASONS: u32 = 13;

// Reasons written by explainBatch, one u32 per flow and direction: the kind in the top two bits.
export const REASON_NONE: u32 = 0; // no policy isolates this side (or it is not a pod)
export const REASON_RULE: u32 = 0x40000000; // | rule id: the first rule that allowed
export const REASON_DENIED: u32 = 0x80000000; // | profile: isolated by its policies, no rule matched
export const REASON_SELF: u32 = 0xc0000000; // a pod reaching itself: not subject to policy
export const REASON_INVALID: u32 = 0xffffffff; // the flow's protocol or family code is invalid
export const REASON_LIMIT: u32 = 0x40000000; // rules and profiles must number fewer
export const REASON_TIER_ALLOW: u32 = 0xd0000000; // | tier rule id: an admin or baseline rule allowed
export const REASON_TIER_DENY: u32 = 0xe0000000; // | tier rule id: an admin or baseline rule denied
export const TIER_LIMIT: u32 = 0x0fffffff; // tier rules must number fewer

// Part codes (a part's first word): REASON_RULE | rule, REASON_TIER_ALLOW/DENY | tier rule, or
// PART_PASS | tier rule. A profile's PROFILE_PARTS entry: first part, first NetworkPolicy part
// (| PROFILE_ISOLATED when NetworkPolicy isolates it), first baseline part, end, then the union
// reason row of each stretch (admin, NetworkPolicy, baseline), 0.
export const PART_PASS: u32 = 0xf0000000;
export const PROFILE_PARTS_BYTES: u32 = 32;
export const PROFILE_ISOLATED: u32 = 0x80000000;

// Verdict bytes written by decideBatch.
export const DENY: u8 = 0;
export const ALLOW: u8 = 1;
export const INVALID: u8 = 255;
