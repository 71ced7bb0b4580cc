/**
 * A columnar batch of flows, laid out exactly as the core reads it, so that a batch is moved
 * into WebAssembly memory with three bulk copies (or built there in place):
 *   src, dst  4 × u32 per flow: IPv4 in word 0 (the address as an unsigned integer, 10.0.0.1 =
 *             0x0a000001); IPv6 as four 32-bit groups, most significant first.
 *   meta      1 × u32 per flow: port | protocol << 16 | family << 24
 *             (protocol 0 TCP, 1 UDP, 2 SCTP; family 0 IPv4, 1 IPv6).
 */
import type { Flow, IPAddress, Protocol } from "../model/types.js";
import { formatIP } from "../validate/ip.js";

export const PROTOCOL_CODE: Readonly<Record<Protocol, number>> = Object.assign(Object.create(null) as object, { TCP: 0, UDP: 1, SCTP: 2 });
export const PROTOCOL_OF_CODE: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
export const WORDS_PER_ADDRESS = 4;
/** The family bit of the meta word: set for IPv6. */
export const FAMILY_V6 = 1 << 24;

/** The meta word of a flow; a port outside 0..65535 or an unknown protocol would corrupt it. */
export function packMeta(port: number, protocol: Protocol, family: 4 | 6): number {
  const code = PROTOCOL_CODE[protocol];
  if (code === undefined) throw new RangeError(`not a protocol: ${JSON.stringify(protocol)} (TCP, UDP or SCTP)`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port ${port} is not in 0..65535`);
  return (port | (code << 16) | (family === 6 ? FAMILY_V6 : 0)) >>> 0;
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

/** The address written at `at` by writeAddress, read back (for the reference evaluator, tests). */
export function readAddress(words: Uint32Array, at: number, family: 4 | 6): IPAddress {
  const bytes = new Uint8Array(family === 4 ? 4 : 16);
  for (let b = 0; b < bytes.length; b++) bytes[b] = (words[at + (b >> 2)]! >>> (24 - 8 * (b & 3))) & 0xff;
  return { family, bytes, text: formatIP(bytes) };
}

/** Flow i of a batch, read back out of its columns. */
export function flowAt(batch: FlowBatch, i: number): Flow {
  const meta = batch.meta[i]!;
  const family = meta & FAMILY_V6 ? 6 : 4;
  const at = i * WORDS_PER_ADDRESS;
  return { src: readAddress(batch.src, at, family), dst: readAddress(batch.dst, at, family), protocol: PROTOCOL_OF_CODE[(meta >>> 16) & 0xff]!, port: meta & 0xffff };
}

export interface BatchBuffers {
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly meta: Uint32Array;
}

export class FlowBatch {
  length = 0;
  private buffers: BatchBuffers;

  /**
   * A batch in ordinary memory; `Engine.createBatch` makes one that lives in the engine's
   * WebAssembly memory instead (decided without any copy).
   */
  constructor(readonly capacity: number, buffers?: () => BatchBuffers) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`FlowBatch: capacity must be a whole number, got ${capacity}`);
    this.refresh = buffers;
    this.buffers = buffers?.() ?? {
      src: new Uint32Array(capacity * WORDS_PER_ADDRESS),
      dst: new Uint32Array(capacity * WORDS_PER_ADDRESS),
      meta: new Uint32Array(capacity),
    };
  }

  private readonly refresh: (() => BatchBuffers) | undefined;

  /** Views into WebAssembly memory are detached when it grows: make them again. */
  private get live(): BatchBuffers {
    if (this.refresh && this.buffers.meta.byteLength === 0 && this.capacity > 0) this.buffers = this.refresh();
    return this.buffers;
  }

  /** 4 words per flow (see the layout above). Re-read after any engine call: do not keep it. */
  get src(): Uint32Array {
    return this.live.src;
  }

  get dst(): Uint32Array {
    return this.live.dst;
  }

  get meta(): Uint32Array {
    return this.live.meta;
  }

  /** Appends one flow; src and dst must be of one family. */
  push(src: IPAddress, dst: IPAddress, protocol: Protocol, port: number): void {
    if (this.length >= this.capacity) throw new RangeError(`FlowBatch: full (capacity ${this.capacity})`);
    if (src.family !== dst.family) throw new RangeError(`FlowBatch: ${src.text} and ${dst.text} are of different families`);
    const meta = packMeta(port, protocol, src.family); // validates before anything is written
    const i = this.length++;
    const b = this.live;
    writeAddress(b.src, i * WORDS_PER_ADDRESS, src);
    writeAddress(b.dst, i * WORDS_PER_ADDRESS, dst);
    b.meta[i] = meta;
  }

  /**
   * Makes this batch hold flows [from, from + count) of another (three bulk copies): how an
   * ordinary batch moves into one made by `engine.createBatch`.
   */
  copyFrom(source: FlowBatch, from = 0, count = source.length - from): this {
    if (!Number.isInteger(from) || !Number.isInteger(count) || from < 0 || count < 0 || from + count > source.length) {
      throw new RangeError(`FlowBatch.copyFrom: flows ${from}..${from + count} are not within the source's ${source.length}`);
    }
    if (count > this.capacity) throw new RangeError(`FlowBatch.copyFrom: ${count} flows do not fit (capacity ${this.capacity})`);
    const b = this.live;
    b.src.set(source.src.subarray(from * WORDS_PER_ADDRESS, (from + count) * WORDS_PER_ADDRESS));
    b.dst.set(source.dst.subarray(from * WORDS_PER_ADDRESS, (from + count) * WORDS_PER_ADDRESS));
    b.meta.set(source.meta.subarray(from, from + count));
    this.length = count;
    return this;
  }

  clear(): void {
    this.length = 0;
  }
}
