/**
 * `netpol bench`: how fast the user's own cluster evaluates, and how big its tables are.
 * Every figure is measured in this process, side by side: load, compile, the batch API on one
 * thread and on all threads, single calls with their latency, and the reference on a sample.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import cliProgress from "cli-progress";
import { compileCluster } from "../compile/index.js";
import { FlowBatch, flowAt } from "../engine/batch.js";
import { type Engine, loadBundleSync } from "../engine/engine.js";
import "../engine/parallel.js";
import { loadPaths } from "../model/files.js";
import type { Cluster } from "../model/types.js";
import { type Flow, ReferenceEvaluator } from "../reference/evaluator.js";
import { readFlows } from "./flows.js";
import { type Io, InputError, UsageError } from "./io.js";
import { printDiagnostics } from "./output.js";

export interface BenchOptions {
  readonly file: readonly string[];
  readonly flows: string;
  readonly threads?: string;
  readonly duration: string;
  readonly output: "table" | "json";
  readonly strict: boolean;
  readonly seed: string;
}

export type FlowGenerator = (cluster: Cluster, count: number, seed: number) => FlowBatch;

interface Figures {
  [key: string]: number | string | Record<string, number>;
}

export async function runBench(opts: BenchOptions, io: Io, generate: FlowGenerator): Promise<number> {
  if (opts.file.length === 0) throw new UsageError("bench needs at least one -f PATH (a file, a directory or - for stdin)");
  const duration = positive(opts.duration, "--duration");
  const threads = opts.threads === undefined ? availableParallelism() : Math.floor(positive(opts.threads, "--threads"));
  const stages = ["load", "compile", "flows", "batch, 1 thread", `batch, ${threads} threads`, "single calls", "latency", "reference"];
  const progress = bar(io, stages.length);
  const f: Figures = { cpu: `${cpus()[0]?.model ?? "cpu"} × ${cpus().length}`, node: process.version };

  let t = performance.now();
  const { cluster, warnings } = await loadPaths(opts.file, { strict: opts.strict }, io.stdin);
  f.loadMs = performance.now() - t;
  printDiagnostics(warnings.filter((d) => d.severity === "warning"), io.stderr);
  progress.next("compile");
  t = performance.now();
  const compiled = compileCluster(cluster);
  f.compileMs = performance.now() - t;
  const { bytes, stats } = compiled;
  f.pods = stats.pods;
  f.bundleBytes = stats.bundleBytes;
  f.bundleBytesPerPod = stats.bundleBytes / Math.max(1, stats.pods);
  f.sections = { ...stats.sections };
  Object.assign(f, { identities: stats.identities, cidrClasses: stats.cidrClasses, peerClasses: stats.peerClasses, portClasses: stats.portClasses, profiles: stats.profiles, rows: stats.rows });
  const engine = loadBundleSync(bytes);

  progress.next("flows");
  const flows = await flowSource(opts, cluster, generate);
  f.flows = flows.length;
  if (flows.length === 0) throw new InputError("no flows to measure");
  progress.next("batch, 1 thread");
  // Each path at its best: flows already where the core reads them (createBatch), decided in place.
  const out = new Uint8Array(flows.length);
  const resident = engine.createBatch(flows.length).copyFrom(flows);
  f.batchPerSecond = rate(duration, flows.length, () => engine.decideBatch(resident, out));
  progress.next(`batch, ${threads} threads`);
  f.threads = threads;
  const shared = engine.createBatch(flows.length, { shared: true }).copyFrom(flows);
  f.parallelPerSecond = await rateAsync(duration, flows.length, () => engine.decideParallel(shared, { threads, out }));
  f.parallelSpeedup = (f.parallelPerSecond as number) / (f.batchPerSecond as number);
  await engine.close();
  progress.next("single calls");
  const sample = asFlows(flows, Math.min(flows.length, 20_000));
  f.singlePerSecond = rate(duration, sample.length, () => {
    for (const s of sample) engine.decide(s.src, s.dst, s.protocol, s.port);
  });
  progress.next("latency");
  Object.assign(f, latency(engine, sample));
  progress.next("reference");
  const ref = new ReferenceEvaluator(cluster);
  const refSample = sample.slice(0, Math.min(sample.length, 2_000));
  f.referencePerSecond = rate(Math.min(duration, 2), refSample.length, () => {
    for (const s of refSample) ref.decideFlow(s);
  });
  f.batchOverReference = (f.batchPerSecond as number) / (f.referencePerSecond as number);
  progress.done();
  io.stdout.write(opts.output === "json" ? `${JSON.stringify(round(f), null, 2)}\n` : table(f));
  return 0;
}

function positive(text: string, name: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${name} takes a positive number, got ${JSON.stringify(text)}`);
  return v;
}

async function flowSource(opts: BenchOptions, cluster: Cluster, generate: FlowGenerator): Promise<FlowBatch> {
  if (/^[0-9]+$/.test(opts.flows)) return generate(cluster, Number(opts.flows), Number(opts.seed));
  if (!(await stat(opts.flows).catch(() => undefined))) throw new UsageError(`--flows ${opts.flows}: neither a count nor a file`);
  const rows: Flow[] = [];
  for await (const row of readFlows(createReadStream(opts.flows), opts.flows)) rows.push(row.flow);
  const batch = new FlowBatch(rows.length);
  for (const r of rows) batch.push(r.src, r.dst, r.protocol, r.port);
  return batch;
}

/** Flows per second: repeat `run` (which decides `per` flows) for about `seconds`; best of the rounds. */
function rate(seconds: number, per: number, run: () => void): number {
  run();
  let best = 0;
  const until = performance.now() + seconds * 1000;
  do {
    const t = performance.now();
    run();
    best = Math.max(best, per / ((performance.now() - t) / 1000));
  } while (performance.now() < until);
  return best;
}

async function rateAsync(seconds: number, per: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  let best = 0;
  const until = performance.now() + seconds * 1000;
  do {
    const t = performance.now();
    await run();
    best = Math.max(best, per / ((performance.now() - t) / 1000));
  } while (performance.now() < until);
  return best;
}

function asFlows(batch: FlowBatch, n: number): Flow[] {
  return Array.from({ length: n }, (_, i) => flowAt(batch, i));
}

/** p50/p99 of one decide() call, timer cost subtracted (measured the same way around nothing). */
function latency(engine: Engine, sample: readonly Flow[]): Figures {
  const n = Math.min(sample.length, 20_000);
  const took = new Float64Array(n);
  const empty = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = sample[i]!;
    const a = process.hrtime.bigint();
    engine.decide(s.src, s.dst, s.protocol, s.port);
    took[i] = Number(process.hrtime.bigint() - a);
    const b = process.hrtime.bigint();
    empty[i] = Number(process.hrtime.bigint() - b);
  }
  took.sort();
  empty.sort();
  const timer = empty[n >> 1]!;
  return { latencyP50Ns: Math.max(0, took[Math.floor(n * 0.5)]! - timer), latencyP99Ns: Math.max(0, took[Math.floor(n * 0.99)]! - timer), timerNs: timer };
}

function round(f: Figures): Figures {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 100) / 100 : v]));
}

const M = (v: unknown) => `${((v as number) / 1e6).toFixed(2)} M/s`;

function table(f: Figures): string {
  const sections = Object.entries(f.sections as Record<string, number>).map(([k, v]) => `${k} ${(v / 1024).toFixed(1)}K`).join(", ");
  const rows: [string, string][] = [
    ["load + validate", `${(f.loadMs as number).toFixed(0)} ms`],
    ["compile", `${(f.compileMs as number).toFixed(0)} ms`],
    ["bundle", `${f.bundleBytes} bytes (${(f.bundleBytesPerPod as number).toFixed(0)} per pod)`],
    ["  sections", sections],
    ["tables", `${f.pods} pods → ${f.identities} identities; ${f.cidrClasses} CIDR classes; ${f.peerClasses} peer classes; ${f.portClasses} port classes; ${f.profiles} profiles; ${f.rows} rows`],
    ["flows measured", String(f.flows)],
    ["decideBatch, 1 thread", M(f.batchPerSecond)],
    [`decideParallel, ${f.threads} threads`, `${M(f.parallelPerSecond)} (${(f.parallelSpeedup as number).toFixed(2)}× one thread)`],
    ["decide(), one call per flow", M(f.singlePerSecond)],
    ["decide() latency p50 / p99", `${(f.latencyP50Ns as number).toFixed(0)} ns / ${(f.latencyP99Ns as number).toFixed(0)} ns (timer ${(f.timerNs as number).toFixed(0)} ns subtracted)`],
    ["reference evaluator", `${((f.referencePerSecond as number) / 1e3).toFixed(1)} k/s (decideBatch is ${(f.batchOverReference as number).toFixed(0)}×)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n${f.cpu}, Node ${f.node}\n`;
}

interface Stages {
  next(stage: string): void;
  done(): void;
}

function bar(io: Io, total: number): Stages {
  if (!(io.stderr as NodeJS.WriteStream).isTTY) return { next() {}, done() {} };
  const b = new cliProgress.SingleBar({ stream: io.stderr, format: "bench [{bar}] {value}/{total} {stage}", hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  b.start(total, 0, { stage: "load" });
  return { next: (stage) => b.increment({ stage }), done: () => b.stop() };
}
