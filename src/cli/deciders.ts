/**
 * The two engines `eval` can use, behind one shape: decide a chunk of parsed flow rows. The
 * WASM engine writes the chunk into a batch that lives in its memory and decides it in one
 * call; the reference evaluator walks the policies flow by flow.
 */
import { readFile } from "node:fs/promises";
import type { FlowBatch } from "../engine/batch.js";
import { BundleError, type Engine, compile, loadBundle } from "../engine/engine.js";
import "../engine/parallel.js"; // decideParallel and shared batches for --threads
import type { Cluster, Verdict } from "../model/types.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";
import type { FlowRow } from "./flows.js";
import { InputError } from "./io.js";

export const ENGINES = ["wasm", "reference"] as const;
export type EngineName = (typeof ENGINES)[number];

/** Rows per chunk: one call into the core per chunk. */
export const CHUNK_ROWS = 4096;

export type DecideChunk = (rows: readonly FlowRow[]) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** Rows per chunk when several threads decide: enough work per thread to pay for the hand-off. */
export const PARALLEL_CHUNK_ROWS = 65536;

export const VERDICT_OF: readonly Verdict[] = ["deny", "allow"];

export function referenceDecider(cluster: Cluster): DecideChunk {
  const ref = new ReferenceEvaluator(cluster);
  return (rows) => Uint8Array.from(rows, (r) => (ref.decideFlow(r.flow) === "allow" ? 1 : 0));
}

function fill(batch: FlowBatch, rows: readonly FlowRow[]): FlowBatch {
  batch.clear();
  for (const r of rows) batch.push(r.flow.src, r.flow.dst, r.flow.protocol, r.flow.port);
  return batch;
}

export function wasmDecider(engine: Engine, threads = 1): DecideChunk {
  if (threads > 1) {
    const batch = engine.createBatch(PARALLEL_CHUNK_ROWS, { shared: true });
    const out = new Uint8Array(PARALLEL_CHUNK_ROWS);
    return async (rows) => (await engine.decideParallel(fill(batch, rows), { threads, out })).subarray(0, rows.length);
  }
  const batch = engine.createBatch(CHUNK_ROWS);
  const out = new Uint8Array(CHUNK_ROWS);
  return (rows) => engine.decideBatch(fill(batch, rows), out).subarray(0, rows.length);
}

export async function wasmFromCluster(cluster: Cluster, threads = 1): Promise<DecideChunk> {
  return wasmDecider(await compile(cluster), threads);
}

export async function wasmFromBundle(path: string, threads = 1): Promise<DecideChunk> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new InputError(`${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  try {
    return wasmDecider(await loadBundle(bytes), threads);
  } catch (e) {
    if (e instanceof BundleError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}
