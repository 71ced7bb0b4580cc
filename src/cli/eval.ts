/** `netpol eval`: decide every flow of a flow file against a cluster, streaming. */
import { createReadStream, watch } from "node:fs";
import { stat } from "node:fs/promises";
import cliProgress from "cli-progress";
import { loadPaths } from "../model/files.js";
import {
  CHUNK_ROWS, type DecideChunk, type EngineName, type ExplainSink, type LabelledReason, PARALLEL_CHUNK_ROWS, VERDICT_OF, referenceDecider,
  wasmFromBundle, wasmFromCluster,
} from "./deciders.js";
import { type FlowRow, readFlows } from "./flows.js";
import { BufferedWriter, paint, printDiagnostics } from "./output.js";
import { clusterSummary } from "./summary.js";
import type { Io } from "./io.js";
import { UsageError } from "./io.js";

export const EVAL_FORMATS = ["csv", "jsonl", "table"] as const;
export type EvalFormat = (typeof EVAL_FORMATS)[number];

export interface EvalOptions {
  readonly file: readonly string[];
  readonly bundle?: string;
  readonly flows: string;
  readonly output: EvalFormat;
  readonly engine: EngineName;
  readonly threads: string;
  readonly strict: boolean;
  readonly summary: boolean;
  readonly quiet: boolean;
  readonly explain: boolean;
  readonly watch?: boolean;
}

export async function runEval(opts: EvalOptions, io: Io): Promise<number> {
  const sink: ExplainSink | undefined = opts.explain ? {} : undefined;
  const decide = await decider(opts, io, sink);
  const name = opts.flows === "-" ? "<stdin>" : opts.flows;
  const opened = opts.flows === "-" ? undefined : await stat(opts.flows).catch(() => undefined);
  if (opts.flows !== "-" && !opened) throw new UsageError(`--flows ${opts.flows}: no such file`);
  // Opened only once it is known to exist: a stream that fails to open emits an unhandled 'error'.
  const input = opts.flows === "-" ? io.stdin : createReadStream(opts.flows);
  const bar = progressBar(io, opened?.size);
  const out = new BufferedWriter(io.stdout);
  const counts = { flows: 0, allow: 0, deny: 0 };
  const started = process.hrtime.bigint();
  const chunk: FlowRow[] = [];
  const flush = async () => {
    const verdicts = await decide.chunk(chunk);
    for (let i = 0; i < chunk.length; i++) {
      const row = chunk[i]!;
      const verdict = VERDICT_OF[verdicts[i]!]!;
      counts.flows++;
      counts[verdict]++;
      const why = sink?.reasons ? { egress: sink.reasons.egress[i]!, ingress: sink.reasons.ingress[i]! } : undefined;
      await out.write(formatRow(opts.output, row.srcText, row.dstText, row.flow.protocol, row.flow.port, verdict, io, why));
    }
    chunk.length = 0;
  };
  await out.write(header(opts.output, opts.explain));
  try {
    for await (const row of readFlows(input, name, bar?.tick)) {
      chunk.push(row);
      if (chunk.length === decide.rows) await flush();
    }
    await flush();
  } finally {
    await out.flush();
    bar?.stop();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  io.stderr.write(
    `${counts.flows} flows: ${counts.allow} allowed, ${counts.deny} denied (${seconds.toFixed(2)} s, engine ${opts.engine})\n`,
  );
  return 0;
}

/**
 * `eval --watch`: evaluates, then again whenever one of the files changes (debounced), until
 * interrupted. A failing run is reported by `report` and the watch goes on.
 */
export async function watchEval(opts: EvalOptions, io: Io, report: (e: unknown) => number): Promise<number> {
  const paths = [...opts.file, ...(opts.bundle !== undefined ? [opts.bundle] : []), opts.flows];
  if (paths.includes("-")) throw new UsageError("--watch needs files: standard input (-) cannot be watched");
  const once = async () => {
    try {
      await runEval(opts, io);
    } catch (e) {
      report(e);
    }
  };
  await once();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const watchers = paths.map((path) =>
    watch(path, { recursive: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(async () => {
          io.stderr.write(`-- ${new Date().toISOString()}: ${path} changed: evaluating again --\n`);
          await once();
        });
      }, 150);
    }),
  );
  io.stderr.write(`watching ${paths.join(", ")} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  for (const w of watchers) w.close();
  clearTimeout(timer);
  await running;
  return 0;
}

interface Decider {
  readonly chunk: DecideChunk;
  /** Rows per chunk. */
  readonly rows: number;
}

/** Loads the cluster (or the bundle) and picks the engine; every usage mistake is caught here. */
async function decider(opts: EvalOptions, io: Io, sink: ExplainSink | undefined): Promise<Decider> {
  const threads = Number(opts.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads takes a whole number ≥ 1, got ${JSON.stringify(opts.threads)}`);
  if (threads > 1 && opts.engine === "reference") throw new UsageError("--threads applies to the wasm engine only");
  if (threads > 1 && opts.explain) throw new UsageError("--explain decides on one thread: drop --threads");
  const chunk = await choose(opts, io, threads, sink);
  return { chunk, rows: threads > 1 ? PARALLEL_CHUNK_ROWS : CHUNK_ROWS };
}

async function choose(opts: EvalOptions, io: Io, threads: number, sink: ExplainSink | undefined): Promise<DecideChunk> {
  if (opts.bundle !== undefined) {
    if (opts.file.length > 0) throw new UsageError("--bundle and -f are alternatives: a bundle already holds the cluster");
    if (opts.engine === "reference") throw new UsageError("--engine reference needs the manifests (-f): a bundle holds only compiled tables");
    if (opts.summary) throw new UsageError("--summary needs the manifests (-f): a bundle holds only compiled tables");
    if (opts.flows === "-" && opts.bundle === "-") throw new UsageError("--bundle - and --flows - cannot both read standard input");
    return wasmFromBundle(opts.bundle, threads, sink);
  }
  if (opts.file.length === 0) throw new UsageError("eval needs at least one -f PATH (a file, a directory or - for stdin), or --bundle PATH");
  if (opts.flows === "-" && opts.file.includes("-")) throw new UsageError("-f - and --flows - cannot both read standard input");
  const loaded = await loadPaths(opts.file, { strict: opts.strict }, io.stdin);
  printDiagnostics(loaded.warnings.filter((d) => !opts.quiet || d.severity === "warning"), io.stderr);
  if (opts.summary) io.stderr.write(clusterSummary(loaded.cluster));
  return opts.engine === "reference" ? referenceDecider(loaded.cluster, sink) : wasmFromCluster(loaded.cluster, threads, sink);
}

function header(format: EvalFormat, explain: boolean): string {
  if (format === "csv") return `src,dst,protocol,port,verdict${explain ? ",egress,ingress" : ""}\n`;
  if (format === "table") return `${"SRC".padEnd(24)} ${"DST".padEnd(24)} PROTO  PORT   ${explain ? "VERDICT  EGRESS".padEnd(REASON_WIDTH + 9) + " INGRESS" : "VERDICT"}\n`;
  return "";
}

const REASON_WIDTH = 32;

function formatRow(
  format: EvalFormat, src: string, dst: string, protocol: string, port: number, verdict: string, io: Io,
  why?: { egress: LabelledReason; ingress: LabelledReason },
): string {
  if (format === "csv") return `${src},${dst},${protocol},${port},${verdict}${why ? `,${csvField(why.egress.label)},${csvField(why.ingress.label)}` : ""}\n`;
  if (format === "jsonl") return `${JSON.stringify({ src, dst, protocol, port, verdict, ...(why ? { egress: why.egress.json, ingress: why.ingress.json } : {}) })}\n`;
  const v = paint(verdict === "allow" ? "green" : "red", verdict, io.stdout);
  const reasons = why ? `${" ".repeat(7 - verdict.length)}  ${why.egress.label.padEnd(REASON_WIDTH)} ${why.ingress.label}` : "";
  return `${src.padEnd(24)} ${dst.padEnd(24)} ${protocol.padEnd(6)} ${String(port).padEnd(6)} ${v}${reasons}\n`;
}

/** Policy names are DNS labels, but quote anyway if a field could break a CSV row. */
function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

interface Progress {
  tick(bytes: number): void;
  stop(): void;
}

/** A bar by bytes read, only when stderr is a terminal and the size is known. */
function progressBar(io: Io, total: number | undefined): Progress | undefined {
  if (!(io.stderr as NodeJS.WriteStream).isTTY || !total || total < 1 << 20) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: io.stderr, format: "eval [{bar}] {percentage}% | {eta_buffer}", etaBuffer: 50, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let read = 0;
  let shown = 0;
  return {
    tick(bytes) {
      read += bytes;
      if (read - shown > total / 200) {
        shown = read;
        bar.update(read);
      }
    },
    stop: () => bar.stop(),
  };
}
