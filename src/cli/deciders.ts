/**
 * The two engines `eval` can use, behind one shape: decide a chunk of parsed flow rows. The
 * WASM engine writes the chunk into a batch that lives in its memory and decides it in one
 * call; the reference evaluator walks the policies flow by flow.
 */
import { readFile } from "node:fs/promises";
import type { FlowBatch } from "../engine/batch.js";
import { UnsupportedError } from "../compile/index.js";
import { BundleError, type Engine, compile, loadBundle } from "../engine/engine.js";
import { sideKey, splitReasonKey } from "../engine/reasons.js";
import "../engine/parallel.js"; // decideParallel and shared batches for --threads
import type { Cluster, Reason, Verdict } from "../model/types.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";
import type { FlowRow } from "./flows.js";
import { InputError } from "./io.js";

export const ENGINES = ["wasm", "reference"] as const;
export type EngineName = (typeof ENGINES)[number];

/** Rows per chunk: one call into the core per chunk. */
export const CHUNK_ROWS = 4096;

export type DecideChunk = (rows: readonly FlowRow[]) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** Why, per row and direction, as `eval --explain` prints it (see reasonLabel). */
export interface ChunkReasons {
  readonly egress: readonly LabelledReason[];
  readonly ingress: readonly LabelledReason[];
}

/** A reason with its policies named: a label for CSV and tables, an object for JSON lines. */
export interface LabelledReason {
  readonly label: string;
  readonly json: Readonly<Record<string, unknown>>;
}

/** Fills `reasons` (when given) for the rows of the last chunk decided. */
export type ExplainSink = { reasons?: ChunkReasons };

/** Rows per chunk when several threads decide: enough work per thread to pay for the hand-off. */
export const PARALLEL_CHUNK_ROWS = 65536;

export const VERDICT_OF: readonly Verdict[] = ["deny", "allow"];

export function referenceDecider(cluster: Cluster, sink?: ExplainSink): DecideChunk {
  const ref = new ReferenceEvaluator(cluster);
  if (!sink) return (rows) => Uint8Array.from(rows, (r) => (ref.decideFlow(r.flow) === "allow" ? 1 : 0));
  const name = policyNamer(cluster);
  return (rows) => {
    const x = rows.map((r) => ref.explainFlow(r.flow));
    sink.reasons = { egress: x.map((e) => labelled(e.egress, name)), ingress: x.map((e) => labelled(e.ingress, name)) };
    return Uint8Array.from(x, (e) => (e.verdict === "allow" ? 1 : 0));
  };
}

/** A side's reason as `sideKey` gives it (code and Pass word), labelled with the engine's own policy names. */
export const engineLabel = (engine: Engine, key: number): LabelledReason => labelled(engine.reason(...splitReasonKey(key)), (i) => engine.policyName(i));

/** "namespace/name" of a cluster's policy by its number (as reasons number them). */
export function policyNamer(cluster: Cluster): (policy: number) => string {
  return (i) => `${cluster.policies[i]!.namespace}/${cluster.policies[i]!.name}`;
}

/**
 * `shop/api[0]` (allowed by rule 0 of shop/api), `denied:a|b`, `none`, `self`; admin tiers
 * `ANP p[1] Deny` / `BANP default[0] Allow`, and a Pass on the way down as a prefix
 * `ANP p[0] Pass → `.
 */
export function labelled(r: Reason | { readonly kind: "invalid" | "unknown" }, name: (policy: number) => string): LabelledReason {
  const passed = "passed" in r && r.passed ? r.passed : undefined;
  const base = ((): LabelledReason => {
    switch (r.kind) {
      case "allowed":
        return { label: `${name(r.policy)}[${r.rule}]`, json: { kind: "allowed", policy: name(r.policy), rule: r.rule } };
      case "denied": {
        const policies = r.policies.map(name);
        return { label: `denied:${policies.join("|")}`, json: { kind: "denied", policies } };
      }
      case "tier":
        return { label: `${r.tier === "admin" ? "ANP" : "BANP"} ${r.policy}[${r.rule}] ${r.action}`, json: { kind: r.tier, policy: r.policy, rule: r.rule, action: r.action } };
      default:
        return { label: r.kind, json: { kind: r.kind } };
    }
  })();
  if (!passed) return base;
  return { label: `ANP ${passed.policy}[${passed.rule}] Pass → ${base.label}`, json: { ...base.json, passed } };
}

function fill(batch: FlowBatch, rows: readonly FlowRow[]): FlowBatch {
  batch.clear();
  for (const r of rows) batch.push(r.flow.src, r.flow.dst, r.flow.protocol, r.flow.port);
  return batch;
}

export function wasmDecider(engine: Engine, threads = 1, sink?: ExplainSink): DecideChunk {
  if (sink) {
    const batch = engine.createBatch(CHUNK_ROWS);
    const out = engine.createExplanations(CHUNK_ROWS);
    const labels = new Map<number, LabelledReason>(); // codes repeat: each is named once
    const label = (key: number) => {
      let l = labels.get(key);
      if (!l) labels.set(key, (l = engineLabel(engine, key)));
      return l;
    };
    return (rows) => {
      const x = engine.explainBatch(fill(batch, rows), out);
      sink.reasons = { egress: rows.map((_, i) => label(sideKey(x, i, 0))), ingress: rows.map((_, i) => label(sideKey(x, i, 1))) };
      return x.verdicts.subarray(0, rows.length);
    };
  }
  if (threads > 1) {
    const batch = engine.createBatch(PARALLEL_CHUNK_ROWS, { shared: true });
    const out = new Uint8Array(PARALLEL_CHUNK_ROWS);
    return async (rows) => (await engine.decideParallel(fill(batch, rows), { threads, out })).subarray(0, rows.length);
  }
  const batch = engine.createBatch(CHUNK_ROWS);
  const out = new Uint8Array(CHUNK_ROWS);
  return (rows) => engine.decideBatch(fill(batch, rows), out).subarray(0, rows.length);
}

export async function wasmFromCluster(cluster: Cluster, threads = 1, sink?: ExplainSink): Promise<DecideChunk> {
  try {
    return wasmDecider(await compile(cluster), threads, sink);
  } catch (e) {
    if (e instanceof UnsupportedError) throw new InputError(e.message);
    throw e;
  }
}

export async function wasmFromBundle(path: string, threads = 1, sink?: ExplainSink): Promise<DecideChunk> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new InputError(`${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  try {
    return wasmDecider(await loadBundle(bytes), threads, sink);
  } catch (e) {
    if (e instanceof BundleError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}
