/**
 * The engine: a validated bundle inside its own core instance, deciding flows in batches
 * written straight into WebAssembly memory. The host crosses into the core once per chunk of
 * up to CHUNK flows; nothing is allocated per flow.
 */
import { compileCluster, type CompileStats } from "../compile/index.js";
import { LOAD_ERRORS } from "../compile/layout.js";
import type { Cluster, IPAddress, Protocol, Verdict } from "../model/types.js";
import { parseIP } from "../validate/ip.js";
import { FlowBatch, WORDS_PER_ADDRESS, packMeta, writeAddress } from "./batch.js";
import { type CoreExports, coreModule, coreModuleSync, instantiate } from "./core.js";

/** Flows per call into the core: large enough to amortise the call, small enough for L2. */
export const CHUNK = 16384;

export const VERDICT_DENY = 0;
export const VERDICT_ALLOW = 1;
export const VERDICT_INVALID = 255;

export class BundleError extends Error {
  constructor(readonly code: number) {
    super(`invalid bundle: ${LOAD_ERRORS[code] ?? `error ${code}`}`);
    this.name = "BundleError";
  }
}

export class Engine {
  private readonly src: number;
  private readonly dst: number;
  private readonly meta: number;
  private readonly out: number;
  private readonly scratch = new Uint32Array(WORDS_PER_ADDRESS * 2);

  /** Use compile/loadBundle (or their Sync forms) to make one. */
  private constructor(private readonly core: CoreExports, private readonly bytes: Uint8Array, readonly stats?: CompileStats) {
    const ptr = core.alloc(bytes.byteLength);
    if (ptr === 0) throw new BundleError(11);
    new Uint8Array(core.memory.buffer, ptr, bytes.byteLength).set(bytes);
    const code = core.loadBundle(ptr, bytes.byteLength);
    if (code !== 0) throw new BundleError(code);
    this.src = core.alloc(CHUNK * 16);
    this.dst = core.alloc(CHUNK * 16);
    this.meta = core.alloc(CHUNK * 4);
    this.out = core.alloc(CHUNK);
    if (!this.src || !this.dst || !this.meta || !this.out) throw new BundleError(11);
  }

  /** @internal */
  static create(module: WebAssembly.Module, bytes: Uint8Array, stats?: CompileStats): Engine {
    return new Engine(instantiate(module), bytes, stats);
  }

  /** The bundle this engine runs: save it, and load it later without the compiler. */
  bundle(): Uint8Array {
    return this.bytes.slice();
  }

  /** One flow, for convenience; addresses as text or parsed. Use decideBatch for speed. */
  decide(src: string | IPAddress, dst: string | IPAddress, protocol: Protocol, port: number): Verdict {
    const s = typeof src === "string" ? address(src) : src;
    const d = typeof dst === "string" ? address(dst) : dst;
    if (s.family !== d.family) throw new RangeError(`decide: ${s.text} and ${d.text} are of different families`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`decide: port ${port} is not in 1..65535`);
    const w = this.scratch;
    writeAddress(w, 0, s);
    writeAddress(w, 4, d);
    const v = this.core.decide(packMeta(port, protocol, s.family), w[0]!, w[1]!, w[2]!, w[3]!, w[4]!, w[5]!, w[6]!, w[7]!);
    return v === VERDICT_ALLOW ? "allow" : "deny";
  }

  /**
   * Decides every flow of the batch; returns one byte per flow (1 allow, 0 deny, 255 for a
   * flow whose protocol or family code is not valid), in `out` if given.
   */
  decideBatch(batch: FlowBatch, out: Uint8Array = new Uint8Array(batch.length)): Uint8Array {
    if (out.length < batch.length) throw new RangeError(`decideBatch: out holds ${out.length} verdicts, the batch has ${batch.length} flows`);
    const buffer = this.core.memory.buffer;
    const src = new Uint32Array(buffer, this.src, CHUNK * 4);
    const dst = new Uint32Array(buffer, this.dst, CHUNK * 4);
    const meta = new Uint32Array(buffer, this.meta, CHUNK);
    const verdicts = new Uint8Array(buffer, this.out, CHUNK);
    for (let start = 0; start < batch.length; start += CHUNK) {
      const n = Math.min(CHUNK, batch.length - start);
      src.set(batch.src.subarray(start * 4, (start + n) * 4));
      dst.set(batch.dst.subarray(start * 4, (start + n) * 4));
      meta.set(batch.meta.subarray(start, start + n));
      const code = this.core.decideBatch(n, this.src, this.dst, this.meta, this.out);
      if (code !== 0) throw new Error(`decideBatch: core error ${code}`);
      out.set(n === CHUNK ? verdicts : verdicts.subarray(0, n), start);
    }
    return out;
  }
}

function address(text: string): IPAddress {
  const r = parseIP(text);
  if (!r.ok) throw new RangeError(`not an IP address: ${JSON.stringify(text)}`);
  return r.value;
}

/** Compiles a cluster into a bundle and an engine running it. */
export async function compile(cluster: Cluster): Promise<Engine> {
  const module = await coreModule();
  const { bytes, stats } = compileCluster(cluster);
  return Engine.create(module, bytes, stats);
}

export function compileSync(cluster: Cluster): Engine {
  const { bytes, stats } = compileCluster(cluster);
  return Engine.create(coreModuleSync(), bytes, stats);
}

/** An engine for a saved bundle; the compiler is not needed. Throws BundleError if invalid. */
export async function loadBundle(bytes: Uint8Array): Promise<Engine> {
  return Engine.create(await coreModule(), bytes);
}

export function loadBundleSync(bytes: Uint8Array): Engine {
  return Engine.create(coreModuleSync(), bytes);
}

export { FlowBatch };
