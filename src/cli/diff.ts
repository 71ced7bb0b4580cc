/**
 * `netpol diff`: what a policy change does before it is applied. Exit status like `kubectl
 * diff`: 0 no verdict changes, 1 changes, 2 an error (usage or invalid manifests).
 */
import { compile } from "../engine/engine.js";
import { loadPaths } from "../model/files.js";
import { type Change, type DiffResult, diffClusters, diffClustersReference } from "../report/diff.js";
import { specLabel } from "../report/matrix.js";
import { type LabelledReason, engineLabel, labelled, policyNamer } from "./deciders.js";
import type { Io } from "./io.js";
import { InputError, UsageError } from "./io.js";
import { parsePorts } from "./matrix.js";
import { BufferedWriter, paint, printDiagnostics } from "./output.js";

export const DIFF_FORMATS = ["text", "json"] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export interface DiffOptions {
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly file: readonly string[];
  readonly ports?: string;
  readonly output: DiffFormat;
  readonly limit: string;
  readonly strict: boolean;
  readonly quiet: boolean;
  readonly engine: "wasm" | "reference";
}

export async function runDiff(opts: DiffOptions, io: Io): Promise<number> {
  if (opts.before.length === 0 || opts.after.length === 0) throw new UsageError("diff needs --before PATH and --after PATH (and -f PATH for what both share)");
  if ([...opts.before, ...opts.after, ...opts.file].filter((p) => p === "-").length > 1) throw new UsageError("standard input (-) can be read once only");
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit takes a whole number ≥ 0, got ${JSON.stringify(opts.limit)}`);
  const ports = opts.ports === undefined ? undefined : parsePorts(opts.ports);
  const load = async (paths: readonly string[], which: string) => {
    const loaded = await loadPaths([...opts.file, ...paths], { strict: opts.strict }, io.stdin);
    const shown = loaded.warnings.filter((d) => !opts.quiet || d.severity === "warning");
    if (shown.length > 0) io.stderr.write(`${which}:\n`);
    printDiagnostics(shown, io.stderr);
    return loaded.cluster;
  };
  const before = await load(opts.before, "before");
  const after = await load(opts.after, "after");
  const started = performance.now();
  let result: DiffResult;
  let why: Labeller;
  let close = async () => {};
  if (opts.engine === "wasm") {
    const engines = { before: await compile(before), after: await compile(after) };
    result = diffClusters(before, after, engines, { ports });
    why = { before: (code) => engineLabel(engines.before, code), after: (code) => engineLabel(engines.after, code) };
    close = async () => void (await Promise.all([engines.before.close(), engines.after.close()]));
  } else {
    const r = diffClustersReference(before, after, (reason, c) => labelled(reason, policyNamer(c)), { ports });
    result = r;
    why = { before: (code) => r.labels.before[code]!, after: (code) => r.labels.after[code]! };
  }
  const seconds = (performance.now() - started) / 1000;
  const out = new BufferedWriter(io.stdout);
  if (opts.output === "json") await out.write(`${JSON.stringify(asJson(result, why), null, 2)}\n`);
  else await text(result, why, limit, out, io);
  await out.flush();
  io.stderr.write(
    `${result.connections} connections compared: ${result.affectedPods} of ${result.pods} pods touched by the change, ${result.externals.length} external address classes, ${result.ports.length} ports (${seconds.toFixed(2)} s)\n`,
  );
  await close();
  return result.changes.length > 0 ? 1 : 0;
}

/** A side's reason codes as labelled reasons. */
type Labeller = { readonly before: (code: number) => LabelledReason; readonly after: (code: number) => LabelledReason };

const total = (changes: readonly Change[]) => changes.reduce((n, c) => n + c.connections, 0);
/** A pod by name; an external class by its address and the ipBlocks it stands for. */
const end = (s: Change["src"][number]) => (s.namespace === null ? `${s.address} (${s.name})` : s.name);


function asJson(r: DiffResult, why: Labeller) {
  const side = (label: (code: number) => LabelledReason, w: Change["before"]) => ({ verdict: w.verdict, ...(w.verdict === "n/a" ? {} : { egress: label(w.egress).json, ingress: label(w.ingress).json }) });
  return {
    summary: {
      newlyDenied: total(r.changes.filter((c) => c.after.verdict === "deny")),
      newlyAllowed: total(r.changes.filter((c) => c.after.verdict === "allow")),
      noLongerApplicable: total(r.changes.filter((c) => c.after.verdict === "n/a")),
      connections: r.connections,
      pods: r.pods,
      affectedPods: r.affectedPods,
      externalClasses: r.externals.map((e) => ({ label: e.label, address: e.address.text })),
      ports: r.ports.map(specLabel),
      podsOnlyBefore: r.podsOnlyBefore,
      podsOnlyAfter: r.podsOnlyAfter,
    },
    changes: r.changes.map((c) => ({
      src: c.src.map(end),
      dst: c.dst.map(end),
      port: c.port,
      connections: c.connections,
      before: side(why.before, c.before),
      after: side(why.after, c.after),
    })),
  };
}

/** Grouped by (source namespace, destination namespace, port): counts, then up to `limit` connections each. */
async function text(r: DiffResult, why: Labeller, limit: number, out: BufferedWriter, io: Io): Promise<void> {
  const denied = r.changes.filter((c) => c.after.verdict === "deny");
  const allowed = r.changes.filter((c) => c.after.verdict === "allow");
  const gone = r.changes.filter((c) => c.after.verdict === "n/a");
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  if (r.changes.length === 0) {
    await out.write(
      r.affectedPods === 0
        ? "no change: both sides have the same policies, pods and namespaces\n"
        : `no change: all ${r.connections} connections of the ${plural(r.affectedPods, "pod")} the change touches keep their verdict\n`,
    );
  } else {
    const parts = [`${plural(total(denied), "connection")} newly denied`, `${total(allowed)} newly allowed`];
    if (gone.length > 0) parts.push(`${total(gone)} no longer applicable`);
    await out.write(`${parts.join(", ")} (of ${r.connections} compared)\n`);
  }
  if (r.podsOnlyBefore.length > 0) await out.write(`pods only before (not compared): ${r.podsOnlyBefore.join(", ")}\n`);
  if (r.podsOnlyAfter.length > 0) await out.write(`pods only after (not compared): ${r.podsOnlyAfter.join(", ")}\n`);
  const section = async (title: string, colour: "red" | "green" | "yellow", changes: readonly Change[]) => {
    if (changes.length === 0) return;
    await out.write(`\n${paint(colour, `${title} (${total(changes)}):`, io.stdout)}\n`);
    const groups = new Map<string, Change[]>();
    for (const c of changes) {
      const key = `${c.src[0]!.namespace ?? "outside"} → ${c.dst[0]!.namespace ?? "outside"}, ${c.port}`;
      const list = groups.get(key);
      if (list) list.push(c);
      else groups.set(key, [c]);
    }
    const several = (sides: Change["src"]) => `${end(sides[0]!)}${sides.length > 1 ? ` (and ${sides.length - 1} more like it)` : ""}`;
    for (const [key, list] of groups) {
      await out.write(`  ${key}: ${plural(total(list), "connection")}\n`);
      for (const c of list.slice(0, limit)) {
        await out.write(`    ${several(c.src)} → ${several(c.dst)}\n`);
        for (const [label, describe, w] of [["before", why.before, c.before], ["after ", why.after, c.after]] as const) {
          const reasons = w.verdict === "n/a" ? "" : `  egress ${describe(w.egress).label}; ingress ${describe(w.ingress).label}`;
          await out.write(`      ${label} ${w.verdict.padEnd(5)}${reasons}\n`);
        }
      }
      if (list.length > limit) await out.write(`    … and ${list.length - limit} more (--limit, or -o json for all)\n`);
    }
  };
  await section("newly denied", "red", denied);
  await section("newly allowed", "green", allowed);
  await section("no longer applicable", "yellow", gone);
}
