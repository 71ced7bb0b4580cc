/**
 * Generated flows as text: one flow as a FlowText (for the reference evaluator and tests), or
 * a whole batch as rows of the CSV that `netpol eval --flows` reads. IPv4 addresses are
 * formatted from a table of octets: ten million rows are written in seconds.
 */
import { FAMILY_V6, type FlowBatch, PROTOCOL_OF_CODE, WORDS_PER_ADDRESS } from "../engine/batch.js";
import type { Protocol } from "../model/types.js";
import { formatIP } from "../validate/ip.js";

export interface FlowText {
  readonly src: string;
  readonly dst: string;
  readonly protocol: Protocol;
  readonly port: number;
}

export const CSV_HEADER = "src,dst,protocol,port\n";

const W = WORDS_PER_ADDRESS;
const OCTETS = Array.from({ length: 256 }, (_, i) => String(i));
const V6_BYTES = new Uint8Array(16);
const V6_VIEW = new DataView(V6_BYTES.buffer);

function addressText(words: Uint32Array, at: number, v6: boolean): string {
  const a = words[at]!;
  if (!v6) return `${OCTETS[a >>> 24]}.${OCTETS[(a >>> 16) & 255]}.${OCTETS[(a >>> 8) & 255]}.${OCTETS[a & 255]}`;
  for (let w = 0; w < W; w++) V6_VIEW.setUint32(4 * w, words[at + w]!);
  return formatIP(V6_BYTES);
}

/** Flow i as text: for CSV writers and the reference evaluator. */
export function flowsAsText(batch: FlowBatch, i: number): FlowText {
  if (!Number.isInteger(i) || i < 0 || i >= batch.length) throw new RangeError(`flowsAsText: no flow ${i} in a batch of ${batch.length}`);
  const meta = batch.meta[i]!;
  const v6 = (meta & FAMILY_V6) !== 0;
  return {
    src: addressText(batch.src, i * W, v6),
    dst: addressText(batch.dst, i * W, v6),
    protocol: PROTOCOL_OF_CODE[(meta >>> 16) & 0xff]!,
    port: meta & 0xffff,
  };
}

/** The batch's flows as CSV rows (no header), each ending in a newline. */
export function flowsCSV(batch: FlowBatch): string {
  const { src, dst, meta } = batch;
  let out = "";
  for (let i = 0; i < batch.length; i++) {
    const m = meta[i]!;
    const v6 = (m & FAMILY_V6) !== 0;
    out += `${addressText(src, i * W, v6)},${addressText(dst, i * W, v6)},${PROTOCOL_OF_CODE[(m >>> 16) & 0xff]!},${m & 0xffff}\n`;
  }
  return out;
}
