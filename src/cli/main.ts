/**
 * The `netpol` command line. Library code throws; only this file turns errors into
 * `error: …` lines and exit codes (0 ok, 1 invalid input, 2 usage).
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { PolicyError } from "../load/diagnostics.js";
import { FlowBatch } from "../engine/batch.js";
import { streamFlows } from "../gen/index.js";
import type { Cluster } from "../model/types.js";
import { type BenchOptions, runBench } from "./bench.js";
import { type CompileCommandOptions, runCompile } from "./compile.js";
import { ENGINES } from "./deciders.js";
import { EVAL_FORMATS, type EvalOptions, runEval, watchEval } from "./eval.js";
import { DIFF_FORMATS, type DiffOptions, runDiff } from "./diff.js";
import { EXPLAIN_FORMATS, type ExplainOptions, runExplain } from "./explain.js";
import { LINT_FORMATS, type LintOptions, runLint } from "./lint.js";
import { MATRIX_FORMATS, type MatrixOptions, runMatrix } from "./matrix.js";
import { FlowError } from "./flows.js";
import { registerGen } from "./gen.js";
import { EXIT, InputError, type Io, UsageError } from "./io.js";
import { printDiagnostics } from "./output.js";

const collect = (value: string, previous: string[]) => [...previous, value];

/** `netpol bench --flows N`: the generator of `netpol gen flows`, into one batch. */
function generatedFlows(cluster: Cluster, count: number, seed: number): FlowBatch {
  const batch = new FlowBatch(count);
  batch.length = streamFlows(cluster, { count, seed }).fill(batch);
  return batch;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function buildProgram(io: Io, run: (p: Promise<number>) => void): Command {
  const program = new Command("netpol")
    .description("Evaluate Kubernetes NetworkPolicies: may this source reach this destination, and why?")
    .version(version(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  program
    .command("eval")
    .description("decide every flow of a CSV flow file against the cluster read from -f")
    .addOption(new Option("-f, --file <path>", "manifests: a file, a directory (recursive) or - for stdin; repeatable").argParser(collect).default([]))
    .option("--bundle <path>", "a bundle saved by `netpol compile`, instead of -f")
    .requiredOption("--flows <path>", "CSV flow file with header src,dst,protocol,port, or - for stdin")
    .addOption(new Option("-o, --output <format>", "output format").choices(EVAL_FORMATS).default("csv"))
    .addOption(new Option("--engine <engine>", "wasm: the compiled core; reference: the executable spec (slow)").choices(ENGINES).default("wasm"))
    .option("--threads <n>", "decide on n worker threads (wasm engine; parsing the flow file stays on one)", "1")
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .option("--summary", "print a summary of the cluster (pods, addresses, isolation) to stderr first", false)
    .option("--explain", "add why, per direction: egress and ingress columns (see below)", false)
    .option("-q, --quiet", "do not print notices (warnings are still printed)", false)
    .option("--watch", "keep running: evaluate again whenever a manifest, the bundle or the flow file changes", false)
    .addHelpText(
      "after",
      `
Output (stdout): csv (default) with header src,dst,protocol,port,verdict, one row per flow
in input order; jsonl, one object per line; table, aligned columns for people.
With --explain, two more columns say why per direction: NAMESPACE/POLICY[i] (allowed by rule i
of that policy, in its egress or ingress list), denied:P1|P2 (isolated by these policies, no
rule matched), none (no policy isolates that side, or it is not a pod) or self; jsonl gives
the same as objects.
Warnings, the progress bar (on a terminal) and a closing count go to stderr.

With --watch, the flows are evaluated again (the whole output printed again, a line on stderr
first) each time a file changes; a change that does not load is reported and the last good
state is kept. Ctrl-C ends it.

Exit status: 0 ok, 1 invalid manifests or flows, 2 usage error.

Examples:
  netpol eval -f cluster.yaml -f policies/ --flows flows.csv -o jsonl
  netpol eval -f cluster.yaml -f policies/ --flows flows.csv -o table --watch
  netpol eval --bundle policy.bundle --flows - < flows.csv`,
    )
    .action((opts: EvalOptions) => run(opts.watch ? watchEval(opts, io, (e) => report(e, io)) : runEval(opts, io)));

  program
    .command("explain")
    .description("why may (or may not) one source reach one destination: the verdict and each direction walked through")
    .addOption(new Option("-f, --file <path>", "manifests: a file, a directory (recursive) or - for stdin; repeatable").argParser(collect).default([]))
    .requiredOption("--from <source>", "NAMESPACE/POD or an IP address")
    .requiredOption("--to <destination>", "NAMESPACE/POD or an IP address")
    .option("--port <port>", "a port number, or a container port name of the destination (default: every container port of the destination pod)")
    .option("--protocol <protocol>", "TCP (default), UDP or SCTP")
    .option("--family <4|6>", "which address of dual-stack pods to use (default: IPv4 when both sides have one)")
    .addOption(new Option("-o, --output <format>", "output format").choices(EXPLAIN_FORMATS).default("text"))
    .addOption(new Option("--engine <engine>", "wasm: the compiled engine, checked against the reference; reference: the executable spec alone").choices(ENGINES).default("wasm"))
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .option("-q, --quiet", "do not print notices (warnings are still printed)", false)
    .addHelpText(
      "after",
      `
The verdict comes from the compiled engine with its reasons (explainBatch) and is checked
against the reference evaluator. Each direction says which policies isolate that side; the
rule that allowed, with the peer (from[i]/to[i]) and port (ports[j]) that matched and named
ports resolved; or, when nothing matched, how every rule of the isolating policies missed.
-o json|yaml gives the same content as data (an array when several ports are explained).

Exit status: 0 explained (whatever the verdict), 1 invalid manifests, 2 usage error.

Examples:
  netpol explain -f examples/shop --from shop/frontend-7d9f8 --to shop/api-5c8b4 --port http
  netpol explain -f cluster/ --from 198.51.100.7 --to shop/frontend-7d9f8 -o json`,
    )
    .action((opts: ExplainOptions) => run(runExplain(opts, io)));

  program
    .command("matrix")
    .description("who can reach whom: the pods × pods truth table per port, from the compiled engine")
    .addOption(new Option("-f, --file <path>", "manifests: a file, a directory (recursive) or - for stdin; repeatable").argParser(collect).default([]))
    .option("--ports <list>", "ports to tabulate, e.g. 80/TCP,53/UDP,http (default: every port and named port the policies mention)")
    .addOption(new Option("--namespace <ns>", "only pods of this namespace, as sources and destinations; repeatable").argParser(collect).default([]))
    .addOption(new Option("-o, --output <format>", "output format").choices(MATRIX_FORMATS).default("table"))
    .option("--max-cells <n>", "refuse tables larger than this (pods × pods × ports)", "200000000")
    .addOption(new Option("--engine <engine>", "wasm: the compiled engine; reference: the executable spec, flow by flow").choices(ENGINES).default("wasm"))
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .option("-q, --quiet", "do not print notices (warnings are still printed)", false)
    .addHelpText(
      "after",
      `
Rows are sources, columns destinations, pods grouped by namespace (pods with an address only;
dual-stack pairs are decided over IPv4). A cell is . allowed, X denied, - not applicable (no
address family in common, or a named port the destination does not define).
  table  the destinations numbered in a legend, one character per cell (coloured on a terminal)
  csv    port,src,<every destination>: one row per source and port
  json   {pods, ports: [{port, allow, deny, none, rows: ["..X.", …]}]}
  html   one self-contained page: a heat-map per port, namespaces marked, the reasons of any
         cell on hover (no network access needed)
Counts per port and the time taken go to stderr.

Examples:
  netpol matrix -f examples/shop --ports 5432/TCP,53/UDP
  netpol matrix -f cluster/ -o html > matrix.html`,
    )
    .action((opts: MatrixOptions) => run(runMatrix(opts, io)));

  program
    .command("diff")
    .description("what a policy change does: every connection whose verdict changes, with the reasons before and after")
    .addOption(new Option("--before <path>", "the policies (or whole cluster) before; repeatable").argParser(collect).default([]))
    .addOption(new Option("--after <path>", "the policies (or whole cluster) after; repeatable").argParser(collect).default([]))
    .addOption(new Option("-f, --file <path>", "manifests both sides share (namespaces, pods); repeatable").argParser(collect).default([]))
    .option("--ports <list>", "ports to compare, e.g. 80/TCP,53/UDP,http (default: every port and named port either side mentions)")
    .addOption(new Option("-o, --output <format>", "output format").choices(DIFF_FORMATS).default("text"))
    .option("--limit <n>", "connections listed per group in text output", "10")
    .addOption(new Option("--engine <engine>", "wasm: the compiled engines; reference: the executable spec, connection by connection").choices(ENGINES).default("wasm"))
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .option("-q, --quiet", "do not print notices (warnings are still printed)", false)
    .addHelpText(
      "after",
      `
Both sides are loaded as -f plus --before, and -f plus --after; pods are matched by
namespace/name. Compared: every pod to every pod, and every pod to and from one address of each
external class (addresses matched by the same ipBlocks of either side), on every port. Changes
are grouped by source namespace, destination namespace and port, each with the reasons before
and after (as in eval --explain); -o json lists them all.

Exit status (like kubectl diff): 0 no change, 1 changes, 2 error.

Example:
  netpol diff -f cluster.yaml --before policies/ --after policies-new/`,
    )
    .action((opts: DiffOptions) =>
      run(
        runDiff(opts, io).catch((e: unknown) => {
          report(e, io);
          return EXIT.usage; // any error is 2 here: 1 means "changes"
        }),
      ),
    );

  program
    .command("lint")
    .description("findings about the policies in their cluster: dead, shadowed or suspicious rules, missing DNS, no-op policies")
    .addOption(new Option("-f, --file <path>", "manifests: a file, a directory (recursive) or - for stdin; repeatable").argParser(collect).default([]))
    .addOption(new Option("-o, --output <format>", "output format").choices(LINT_FORMATS).default("text"))
    .option("--fail-on <severity>", "exit 1 when a finding of this severity or worse exists: error, warning or info", "error")
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .option("-q, --quiet", "do not print notices (warnings are still printed)", false)
    .addHelpText(
      "after",
      `
Findings (severity, [code]):
  error    a rule that can never allow anything here: no peer matches a pod, or none of
           its named ports exists where it applies                      [rule-matches-nothing]
  warning  a policy that selects no pod                                 [selects-no-pod]
           a peer that matches no pod or namespace                      [peer-matches-nothing]
           a rule another rule of the same policy already covers        [rule-shadowed]
           egress isolation with no rule allowing UDP 53 (DNS)          [egress-without-dns]
           a named port no pod it applies to defines                    [named-port-undefined]
           a namespaceSelector item followed by a podSelector item: two
           peers (OR) where one item with both (AND) was likely meant   [peers-look-like-and]
           a rule with no peers and no ports: allows everything         [rule-allows-all]
           AdminNetworkPolicies of one priority whose subjects share a pod
                                                                        [admin-priority-shared]
           an admin rule that never decides: an earlier rule, or a policy
           decided first for every pod it applies to, covers it         [admin-rule-unreachable]
           an admin rule whose peers match no pod                       [admin-rule-matches-nothing]
Each names the object and the field path (spec.ingress[0].from[1]). "Matches no pod" is about
the pods loaded with -f: lint the policies together with the cluster's pods and namespaces.

Exit status: 0 nothing at or above --fail-on, 1 otherwise (or invalid manifests), 2 usage error.

Example:
  netpol lint -f cluster.yaml -f policies/ -o json`,
    )
    .action((opts: LintOptions) => run(runLint(opts, io)));

  program
    .command("compile")
    .description("compile the cluster read from -f into a bundle for `eval --bundle` or any WebAssembly host")
    .addOption(new Option("-f, --file <path>", "manifests: a file, a directory (recursive) or - for stdin; repeatable").argParser(collect).default([]))
    .requiredOption("-o, --output <path>", "where to write the bundle (- for stdout)")
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .option("-q, --quiet", "do not print notices (warnings are still printed)", false)
    .option("--json", "print the bundle's statistics as one JSON line on stderr", false)
    .addHelpText(
      "after",
      `
The bundle format and the core's ABI are documented in BUNDLE.md. Statistics (size, identities,
classes, rows) go to stderr.

Exit status: 0 ok, 1 invalid manifests, 2 usage error.

Example:
  netpol compile -f cluster.yaml -f policies/ -o policy.bundle`,
    )
    .action((opts: CompileCommandOptions) => run(runCompile(opts, io)));
  registerGen(program, io, run);

  program
    .command("bench")
    .description("measure your cluster: load, compile, table sizes, decisions/s on one and all threads, latency, the reference")
    .addOption(new Option("-f, --file <path>", "manifests: a file, a directory (recursive) or - for stdin; repeatable").argParser(collect).default([]))
    .option("--flows <n|file>", "how many flows to generate for the cluster, or a CSV flow file to measure", "1000000")
    .option("--threads <n>", "threads for the all-cores figure (default: every core)")
    .option("--duration <seconds>", "time spent on each throughput figure", "2")
    .option("--seed <n>", "seed of the generated flows", "1")
    .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json"]).default("table"))
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .addHelpText(
      "after",
      `
Flows are generated for the cluster by the same generator as \`netpol gen flows\` (80% pod to pod,
20% with one side outside, IPv6 where the cluster has it), unless --flows names a CSV file.
Throughputs are the best of repeated rounds within --duration; latency is per decide() call with
the timer's own cost subtracted. A progress bar shows on a terminal; -o json for scripts.

Example:
  netpol bench -f cluster.yaml -f policies/ --flows 2000000 -o json`,
    )
    .action((opts: BenchOptions) => run(runBench(opts, io, generatedFlows)));
  return program;
}

/** Runs the CLI and resolves to the exit status; never throws. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(io, (p) => (pending = p));
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return pending ? await pending : EXIT.ok;
  } catch (e) {
    return report(e, io);
  }
}

function report(e: unknown, io: Io): number {
  if (e instanceof CommanderError) {
    // "commander.help" is help shown because no command was given: a usage error.
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
    return EXIT.usage;
  }
  if (e instanceof UsageError) {
    io.stderr.write(`error: ${e.message}\n(run with --help for usage)\n`);
    return EXIT.usage;
  }
  if (e instanceof PolicyError) {
    printDiagnostics(e.diagnostics, io.stderr);
    const n = e.diagnostics.filter((d) => d.severity === "error").length;
    io.stderr.write(`${n} error${n === 1 ? "" : "s"}: nothing evaluated\n`);
    return EXIT.invalid;
  }
  if (e instanceof FlowError || e instanceof InputError) {
    io.stderr.write(`error: ${e.message}\n`);
    return EXIT.invalid;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "EPIPE") return EXIT.ok;
  io.stderr.write(`error: ${err?.message ?? String(e)}\n`);
  return EXIT.invalid;
}
