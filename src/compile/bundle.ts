/** Serialises sections into one bundle: header, section table, 4-byte aligned sections, checksum. */
import { FORMAT_VERSION, HEADER_BYTES, MAGIC, SECTION_ENTRY_BYTES, fnv1a } from "./layout.js";

/** Typed arrays use the host's byte order: on little-endian hosts (all Node targets in practice) words copy as bytes. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export interface SectionData {
  readonly id: number;
  readonly words: Uint32Array;
}

export function writeBundle(sections: readonly SectionData[]): Uint8Array {
  const tableBytes = sections.length * SECTION_ENTRY_BYTES;
  let offset = HEADER_BYTES + tableBytes;
  const placed = sections.map((s) => {
    const at = offset;
    offset += s.words.byteLength;
    return { ...s, at };
  });
  const bytes = new Uint8Array(offset);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, offset, true);
  view.setUint32(16, sections.length, true);
  placed.forEach((s, i) => {
    const e = HEADER_BYTES + i * SECTION_ENTRY_BYTES;
    view.setUint32(e, s.id, true);
    view.setUint32(e + 4, s.at, true);
    view.setUint32(e + 8, s.words.byteLength, true);
    if (LITTLE_ENDIAN) bytes.set(new Uint8Array(s.words.buffer, s.words.byteOffset, s.words.byteLength), s.at);
    else for (let w = 0; w < s.words.length; w++) view.setUint32(s.at + 4 * w, s.words[w]!, true);
  });
  view.setUint32(12, fnv1a(wordsAfterHeader(bytes)), true);
  return bytes;
}

/** The u32 words the checksum covers (from byte 16 to the end), read little-endian (a view of the bytes where the host's order is that). */
export function wordsAfterHeader(bytes: Uint8Array): Uint32Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + 16, (bytes.byteLength - 16) >>> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = new Uint32Array((bytes.byteLength - 16) >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(16 + 4 * i, true);
  return words;
}

/** The bytes of section `id` of a bundle (found through its section table); undefined when absent. */
export function sectionOf(bundle: Uint8Array, id: number): Uint8Array | undefined {
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const count = view.getUint32(16, true);
  for (let i = 0; i < count; i++) {
    const e = HEADER_BYTES + i * SECTION_ENTRY_BYTES;
    if (view.getUint32(e, true) !== id) continue;
    const at = view.getUint32(e + 4, true);
    return bundle.subarray(at, at + view.getUint32(e + 8, true));
  }
  return undefined;
}

/** A section as little-endian u32 words (copied); undefined when absent. */
export function sectionWords(bundle: Uint8Array, id: number): Uint32Array | undefined {
  const bytes = sectionOf(bundle, id);
  if (!bytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: bytes.byteLength >>> 2 }, (_, k) => view.getUint32(4 * k, true));
}
