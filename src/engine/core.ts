/**
 * The compiled core: one WebAssembly.Module per process, instantiated once per engine (each
 * engine owns its memory, so engines never share state and a bundle swap is a new instance).
 * Async compile is the main path (browsers); the sync path serves Node and workers.
 */
import { CORE_WASM_BASE64 } from "../generated/core.js";

export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  abiVersion(): number;
  alloc(bytes: number): number;
  loadBundle(ptr: number, len: number): number;
  updateAddresses(hash4: number, cap4: number, hash6: number, cap6: number, reasons4: number, reasons6: number): number;
  decide(meta: number, s0: number, s1: number, s2: number, s3: number, d0: number, d1: number, d2: number, d3: number): number;
  decide4(meta: number, src: number, dst: number): number;
  decide6(meta: number, src: number, dst: number): number;
  decideBatch(n: number, src: number, dst: number, meta: number, out: number): number;
  explainBatch(n: number, src: number, dst: number, meta: number, out: number, egress: number, ingress: number): number;
  explainTiers(n: number, src: number, dst: number, meta: number, out: number, egress: number, ingress: number, passes: number): number;
}

/** The ABI major version this host speaks. */
export const ABI_MAJOR = 1;

let compiled: WebAssembly.Module | undefined;

export function coreBytes(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(CORE_WASM_BASE64), (c) => c.charCodeAt(0));
}

export async function coreModule(): Promise<WebAssembly.Module> {
  compiled ??= await WebAssembly.compile(coreBytes());
  return compiled;
}

export function coreModuleSync(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(coreBytes());
  return compiled;
}

export function instantiate(module: WebAssembly.Module): CoreExports {
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as CoreExports;
  const major = exports.abiVersion() >>> 16;
  if (major !== ABI_MAJOR) throw new Error(`netpol-wasm: core ABI ${major} is not the ABI ${ABI_MAJOR} this engine speaks`);
  return exports;
}
