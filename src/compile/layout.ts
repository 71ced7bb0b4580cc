/**
 * The bundle format (version 3), documented in BUNDLE.md and mirrored in assembly/layout.ts.
 * Little-endian throughout; every section starts on a 4-byte boundary.
 *
 *   0  u32 magic "NPWB"           12  u32 checksum (FNV-1a over the u32 words from byte 16)
 *   4  u32 format version         16  u32 section count N
 *   8  u32 total length in bytes  20  N × { u32 id, u32 offset, u32 length in bytes }
 */
export const MAGIC = 0x4257504e; // "NPWB" read as a little-endian u32
export const FORMAT_VERSION = 4;
export const HEADER_BYTES = 20;
export const SECTION_ENTRY_BYTES = 12;

export const Section = {
  META: 1,
  PORT_CUTS: 2,
  HASH4: 3,
  HASH6: 4,
  TRIE4: 5,
  TRIE6: 6,
  NODES: 7,
  PROFILES: 8,
  ROWS: 9,
  /** Per outside index (a trie leaf): its peer class and its reason class (2 words). */
  OUTSIDE: 10,
  /** Reason class per HASH4 slot, per HASH6 slot (EMPTY for empty slots). */
  REASONS4: 11,
  REASONS6: 12,
  /** profiles + 1 offsets into PARTS, counted in parts. */
  PROFILE_PARTS: 13,
  /** Per part: rule id, the port classes (a bitset of ⌈port classes / 32⌉ words), a reason row number. */
  PARTS: 14,
  REASON_ROWS: 15,
  /** UTF-8 JSON the host reads to name reasons (policies, rules, profiles); the core skips it. */
  NAMES: 16,
} as const;

/** Word offsets inside META. */
export const Meta = {
  PEER_CLASSES: 0,
  ROW_WORDS: 1,
  PROFILES: 2,
  PORT_CLASSES: 3,
  ROWS: 4,
  TRIE4_ROOT_BITS: 5,
  TRIE6_ROOT_BITS: 6,
  NODES: 7,
  HASH4_CAPACITY: 8,
  HASH6_CAPACITY: 9,
  /** Bytes per PROFILES cell: 2 when every row number fits in 16 bits, else 4. */
  PROFILE_CELL_BYTES: 10,
  OUTSIDE: 11,
  REASON_CLASSES: 12,
  REASON_ROW_WORDS: 13,
  REASON_ROWS: 14,
  RULES: 15,
  PARTS: 16,
  /** 1: a pod slot's first word is peer class | reason class << 16 (REASONS4/6 empty); 0: REASONS4/6 hold the reason classes. */
  REASON_IN_SLOT: 17,
  /** Admin- and baseline-tier rules (NAMES "tierRules"); parts name them by id. */
  TIER_RULES: 18,
  WORDS: 19,
} as const;

/** Error codes of the core's bundle loader, and what each means. */
export const LOAD_ERRORS: Readonly<Record<number, string>> = {
  1: "not a netpol-wasm bundle (bad magic)",
  2: "unsupported bundle format version",
  3: "bundle length does not match its header (truncated or padded)",
  4: "bundle checksum mismatch (corrupted)",
  5: "section table out of bounds, misaligned or missing a section",
  6: "section sizes disagree with the bundle's counts",
  7: "port class table invalid",
  8: "pod address table invalid",
  9: "trie invalid",
  10: "verdict table invalid",
  11: "not enough memory for the bundle",
  13: "reason tables invalid",
};

export function fnv1a(words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}
