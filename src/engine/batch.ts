/**
 * A columnar batch of flows, laid out exactly as the core reads it, so that a batch is moved
 * into WebAssembly memory with three bulk copies (or built there in place):
 *   src, dst  4 × u32 per flow: IPv4 in word 0 (the address as an unsigned integer, 10.0.0.1 =
 *             0x0a000001); IPv6 as four 32-bit groups, most significant first.
 *   meta      1 × u32 per flow: port | protocol << 16 | family << 24
 *             (protocol 0 TCP, 1 UDP, 2 SCTP; family 0 IPv4, 1 IPv6).
 */
import type { IPAddress, Protocol } from "../model/types.js";

export const PROTOCOL_CODE: Readonly<Record<Protocol, number>> = { TCP: 0, UDP: 1, SCTP: 2 };
export const PROTOCOL_OF_CODE: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
export const WORDS_PER_ADDRESS = 4;

export function packMeta(port: number, protocol: Protocol, family: 4 | 6): number {
  return (port | (PROTOCOL_CODE[protocol] << 16) | (family === 6 ? 1 << 24 : 0)) >>> 0;
}

/** Writes an address into 4 words at `at`; both families use the layout described above. */
export function writeAddress(words: Uint32Array, at: number, ip: IPAddress): void {
  const b = ip.bytes;
  if (ip.family === 4) {
    words[at] = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    words[at + 1] = words[at + 2] = words[at + 3] = 0;
    return;
  }
  for (let w = 0; w < 4; w++) {
    words[at + w] = ((b[4 * w]! << 24) | (b[4 * w + 1]! << 16) | (b[4 * w + 2]! << 8) | b[4 * w + 3]!) >>> 0;
  }
}

export class FlowBatch {
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly meta: Uint32Array;
  length = 0;

  constructor(readonly capacity: number, buffers?: { src: Uint32Array; dst: Uint32Array; meta: Uint32Array }) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`FlowBatch: capacity must be a whole number, got ${capacity}`);
    this.src = buffers?.src ?? new Uint32Array(capacity * WORDS_PER_ADDRESS);
    this.dst = buffers?.dst ?? new Uint32Array(capacity * WORDS_PER_ADDRESS);
    this.meta = buffers?.meta ?? new Uint32Array(capacity);
  }

  /** Appends one flow; src and dst must be of one family. */
  push(src: IPAddress, dst: IPAddress, protocol: Protocol, port: number): void {
    if (this.length >= this.capacity) throw new RangeError(`FlowBatch: full (capacity ${this.capacity})`);
    if (src.family !== dst.family) throw new RangeError(`FlowBatch: ${src.text} and ${dst.text} are of different families`);
    const i = this.length++;
    writeAddress(this.src, i * WORDS_PER_ADDRESS, src);
    writeAddress(this.dst, i * WORDS_PER_ADDRESS, dst);
    this.meta[i] = packMeta(port, protocol, src.family);
  }

  clear(): void {
    this.length = 0;
  }
}
