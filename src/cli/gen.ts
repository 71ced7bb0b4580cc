/**
 * `netpol gen`: a synthetic cluster as manifests (src/gen/ generateCluster, the same code as the
 * benchmarks), and `netpol gen flows`: a flow file for any cluster `-f` loads. Both are
 * deterministic for a seed and write with backpressure: the XL preset and ten million flows
 * take constant memory beyond the cluster itself.
 */
import { mkdir, open, stat } from "node:fs/promises";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { FlowBatch } from "../engine/batch.js";
import {
  CSV_HEADER, type ClusterParams, DEFAULT_SEED, type FlowStream, PRESETS, type PresetName, flowsCSV, generateCluster, manifestYAML,
  streamFlows,
} from "../gen/index.js";
import { loadPaths } from "../model/files.js";
import { type Io, InputError, UsageError } from "./io.js";
import { BufferedWriter, printDiagnostics } from "./output.js";

export interface GenOptions {
  readonly preset?: PresetName;
  readonly namespaces?: number;
  readonly pods?: number;
  readonly policies?: number;
  readonly cidrs?: number;
  readonly dualStack?: number;
  readonly seed?: number;
  readonly adminPolicies?: number;
  readonly baseline?: boolean;
  readonly output?: string;
  readonly force: boolean;
}

export interface GenFlowsOptions {
  readonly file: readonly string[];
  readonly count: number;
  readonly ipv6?: number;
  readonly external?: number;
  readonly skew?: number;
  readonly seed?: number;
  readonly output: string;
  readonly force: boolean;
  readonly strict: boolean;
  readonly quiet: boolean;
}

/** generateCluster's own limit: the generated pod network holds about four million addresses. */
const MAX_PODS = 1_000_000;
/**
 * Flows drawn and written per step: 2,048 flows are about 70 KB of CSV. A chunk past V8's
 * large-object size (~128 KB) would live until a full collection, and after loading a large
 * cluster full collections are rare: ten million flows took 1.2 GB instead of staying flat.
 */
const FLOW_CHUNK = 2_048;
const FILES = ["namespaces.yaml", "pods.yaml", "networkpolicies.yaml"] as const;
/** Written only when admin policies are asked for. */
const ADMIN_FILE = "adminpolicies.yaml";

const collect = (value: string, previous: string[]) => [...previous, value];
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(2);

function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `must be a whole number ≥ ${min}.` : `must be a whole number in ${min}..${max}.`);
    }
    return n;
  };
}

function fraction(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !(n >= 0 && n <= 1)) throw new InvalidArgumentError("must be a fraction in 0..1 (e.g. 0.2).");
  return n;
}

function nonNegative(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !(n >= 0 && Number.isFinite(n))) throw new InvalidArgumentError("must be a number ≥ 0.");
  return n;
}

function seed(text: string): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a whole number (a safe integer).");
  return n;
}

function preset(text: string): PresetName {
  const name = text.toUpperCase();
  if (!Object.hasOwn(PRESETS, name)) throw new InvalidArgumentError(`Allowed choices are ${Object.keys(PRESETS).join(", ")}.`);
  return name as PresetName;
}

const PRESET_COLUMNS = [["preset", 8], ["namespaces", 12], ["pods", 8], ["policies", 10], ["cidrs", 8], ["dual-stack", 12]] as const;
const presetTable = [
  PRESET_COLUMNS.map(([title, width], i) => (i === 0 ? title.padEnd(width) : title.padStart(width))).join(""),
  ...Object.entries(PRESETS).map(([name, p]) =>
    [name, p.namespaces, p.pods, p.policies, p.cidrs, p.dualStack ?? 0]
      .map((v, i) => (i === 0 ? String(v).padEnd(PRESET_COLUMNS[i]![1]) : String(v).padStart(PRESET_COLUMNS[i]![1])))
      .join("")),
].map((line) => `  ${line}`).join("\n");

const CLUSTER_NOTES = `
Explicit counts override the preset's. The presets (the scenarios of bench/):
${presetTable}

Each file is a multi-document YAML stream that kubectl and \`netpol -f\` read; a comment on its
first line gives the command that writes it again. A one-line summary goes to stderr.

Exit status: 0 ok, 1 a file exists (without --force) or cannot be written, 2 usage error.

Examples:
  netpol gen --preset MEDIUM -o cluster/
  netpol gen --namespaces 30 --pods 5000 --policies 300 --cidrs 80 --dual-stack 0.3 --seed 7 -o cluster/
  netpol gen flows -f cluster/ --count 1000000 -o flows.csv`;

export function registerGen(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  // The cluster writer is a default subcommand, not gen's own action: options of gen itself
  // would be taken from `gen flows` arguments too (-o, --seed, --force are in both).
  const gen = program
    .command("gen")
    .description("synthetic scenarios: a realistic cluster as manifests (gen cluster, the default), flows for any cluster (gen flows)");
  const cluster = gen
    .command("cluster", { isDefault: true })
    .description("write a realistic synthetic cluster as Kubernetes manifests (`netpol gen [options]` runs this)")
    .addOption(new Option("--preset <name>", "start from a benchmark scenario: SMALL (default), MEDIUM, LARGE or XL").argParser(preset))
    .option("--namespaces <n>", "namespaces, infrastructure ones included (≥ 1)", wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option("--pods <n>", `pods, ~1.5% of them on the host network (0..${MAX_PODS})`, wholeNumber(0, MAX_PODS))
    .option("--policies <n>", "NetworkPolicies, every feature among the first dozen", wholeNumber(0, Number.MAX_SAFE_INTEGER))
    .option("--cidrs <n>", "distinct external CIDRs (ipBlock.cidr values) the policies name", wholeNumber(0, Number.MAX_SAFE_INTEGER))
    .option("--dual-stack <fraction>", "share of pods with an IPv6 address besides their IPv4 one", fraction)
    .option("--admin-policies <n>", "AdminNetworkPolicies as platform teams write them, into adminpolicies.yaml (default 0)", wholeNumber(0, Number.MAX_SAFE_INTEGER))
    .option("--baseline", "add the BaselineAdminNetworkPolicy (dev may not reach prod where no NetworkPolicy decides)")
    .option("--seed <n>", `random seed: the same seed writes the same bytes (default ${DEFAULT_SEED})`, seed)
    .option("-o, --output <dir>", "directory for namespaces.yaml, pods.yaml and networkpolicies.yaml (created if needed), or - for one stream on stdout")
    .option("--force", "overwrite files that exist", false)
    .addHelpText("after", CLUSTER_NOTES)
    .action((opts: GenOptions) => run(runGen(opts, io)));
  gen.addHelpText("after", () => `\n\`netpol gen [options]\` is \`netpol gen cluster [options]\`:\n\n${cluster.helpInformation()}${CLUSTER_NOTES}\n`);

  gen
    .command("flows")
    .description("write flows (CSV for `netpol eval --flows`) for the cluster read from -f: any cluster, generated or not")
    .addOption(new Option("-f, --file <path>", "manifests: a file, a directory (recursive) or - for stdin; repeatable").argParser(collect).default([]))
    .requiredOption("--count <n>", "how many flows", wholeNumber(0, Number.MAX_SAFE_INTEGER))
    .option("--external <fraction>", "share of flows with one side outside the cluster (default 0.2)", fraction)
    .option("--ipv6 <fraction>", "share of IPv6 flows, if the cluster has IPv6 pod addresses (default 0.05)", fraction)
    .option("--skew <k>", "popular services: destination rank drawn as n·u^(1+k); 0 uniform (default), 2 a few take most", nonNegative)
    .option("--seed <n>", `random seed: the same seed and cluster write the same flows (default ${DEFAULT_SEED})`, seed)
    .requiredOption("-o, --output <path>", "the CSV file to write, or - for stdout")
    .option("--force", "overwrite the file if it exists", false)
    .option("--strict", "reject non-canonical CIDRs and IPs as a Kubernetes 1.36+ API server does", false)
    .option("-q, --quiet", "do not print notices (warnings are still printed)", false)
    .addHelpText(
      "after",
      `
Flows are drawn from the loaded cluster: pod to pod (half of them within a namespace), or with
one side outside (addresses inside the policies' ipBlock CIDRs, inside their except holes, and
elsewhere). Ports are mostly those the destination pods declare and the policies name.
Output: the header src,dst,protocol,port, then one flow per line; a summary goes to stderr.

Exit status: 0 ok, 1 invalid manifests (nothing written) or a file that exists, 2 usage error.

Examples:
  netpol gen flows -f examples/shop --count 1000 -o flows.csv
  netpol gen flows -f cluster/ --count 10000000 --external 0.3 --skew 2 --seed 3 -o - | netpol eval -f cluster/ --flows -`,
    )
    .action((opts: GenFlowsOptions) => run(runGenFlows(opts, io)));
}

function clusterParams(opts: GenOptions): Required<ClusterParams> {
  const base = PRESETS[opts.preset ?? "SMALL"];
  const policies = opts.policies ?? base.policies;
  // Without policies no CIDR can be named: a preset's CIDR count gives way to --policies 0.
  const cidrs = opts.cidrs ?? (policies === 0 ? 0 : base.cidrs);
  if (cidrs > 0 && policies === 0) throw new UsageError("--cidrs needs at least one policy to name the CIDRs: raise --policies");
  return {
    namespaces: opts.namespaces ?? base.namespaces,
    pods: opts.pods ?? base.pods,
    policies,
    cidrs,
    dualStack: opts.dualStack ?? base.dualStack ?? 0,
    seed: opts.seed ?? DEFAULT_SEED,
    adminPolicies: opts.adminPolicies ?? 0,
    baseline: opts.baseline === true,
  };
}

function commandLine(p: Required<ClusterParams>): string {
  const tiers = `${p.adminPolicies > 0 ? ` --admin-policies ${p.adminPolicies}` : ""}${p.baseline ? " --baseline" : ""}`;
  return `# netpol gen --namespaces ${p.namespaces} --pods ${p.pods} --policies ${p.policies} --cidrs ${p.cidrs} --dual-stack ${p.dualStack} --seed ${p.seed}${tiers}\n`;
}

/** Refuses to overwrite before any work is done; `wx` below closes the race. */
async function refuseExisting(paths: readonly string[], force: boolean): Promise<void> {
  if (force) return;
  for (const path of paths) {
    if (await stat(path).catch(() => undefined)) throw new InputError(`${path} already exists: pass --force to overwrite it`);
  }
}

/** Opens `path` and gives `body` a buffered writer on it; every failure is an InputError naming the file. */
async function writeFile(path: string, force: boolean, body: (out: BufferedWriter) => Promise<void>): Promise<void> {
  const handle = await open(path, force ? "w" : "wx").catch((e: NodeJS.ErrnoException) => {
    throw new InputError(e.code === "EEXIST" ? `${path} already exists: pass --force to overwrite it` : `${path}: cannot write: ${e.message}`);
  });
  const stream = handle.createWriteStream();
  let failure: Error | undefined;
  stream.on("error", (e) => (failure ??= e));
  try {
    const out = new BufferedWriter(stream);
    await body(out);
    await out.flush();
    stream.end();
    await finished(stream);
  } catch (e) {
    stream.destroy();
    if (failure === undefined && (e as NodeJS.ErrnoException).code === undefined) throw e;
    throw new InputError(`${path}: cannot write: ${(failure ?? (e as Error)).message}`);
  }
}

async function writeDocuments(out: BufferedWriter, objects: readonly object[]): Promise<void> {
  for (const o of objects) await out.write(`---\n${manifestYAML(o as Record<string, unknown>)}`);
}

export async function runGen(opts: GenOptions, io: Io): Promise<number> {
  if (opts.output === undefined) throw new UsageError("gen needs -o DIR (a directory for the manifests) or -o - (stdout)");
  const params = clusterParams(opts);
  const dir = opts.output;
  const files = params.adminPolicies > 0 || params.baseline ? [...FILES, ADMIN_FILE] : FILES;
  const paths = files.map((f) => join(dir, f));
  if (dir !== "-") {
    await refuseExisting(paths, opts.force);
    await mkdir(dir, { recursive: true }).catch((e: Error) => {
      throw new InputError(`${dir}: cannot create the directory: ${e.message}`);
    });
  }
  const started = performance.now();
  const cluster = generateCluster(params);
  const parts = [cluster.namespaces, cluster.pods, cluster.policies, ...(cluster.adminPolicies ? [cluster.adminPolicies] : [])];
  if (dir === "-") {
    const out = new BufferedWriter(io.stdout);
    await out.write(commandLine(params));
    for (const objects of parts) await writeDocuments(out, objects);
    await out.flush();
  } else {
    for (let i = 0; i < files.length; i++) {
      await writeFile(paths[i]!, opts.force, async (out) => {
        await out.write(commandLine(params));
        await writeDocuments(out, parts[i]!);
      });
    }
  }
  const where = dir === "-" ? "stdout" : paths.join(", ");
  io.stderr.write(
    `${count(cluster.namespaces.length, "namespace")}, ${count(cluster.pods.length, "pod")}, ` +
      `${count(cluster.policies.length, "network policy", "network policies")}` +
      `${cluster.adminPolicies ? `, ${count(cluster.adminPolicies.length, "admin policy", "admin policies")}` : ""} (${count(params.cidrs, "external CIDR")}, seed ${params.seed}) ` +
      `→ ${where} (${seconds(started)} s)\n`,
  );
  return 0;
}

function notice(io: Io, quiet: boolean, message: string): void {
  if (!quiet) io.stderr.write(`notice: ${message}\n`);
}

async function drain(flows: FlowStream, out: BufferedWriter): Promise<void> {
  const batch = new FlowBatch(Math.min(flows.count, FLOW_CHUNK));
  await out.write(CSV_HEADER);
  while (flows.fill(batch) > 0) await out.write(flowsCSV(batch));
}

/** Loads the cluster and keeps only the flow tables: the model is garbage before the first flow is drawn. */
async function flowStream(opts: GenFlowsOptions, io: Io): Promise<FlowStream> {
  const loaded = await loadPaths(opts.file, { strict: opts.strict }, io.stdin);
  printDiagnostics(loaded.warnings.filter((d) => !opts.quiet || d.severity === "warning"), io.stderr);
  try {
    return streamFlows(loaded.cluster, { count: opts.count, ipv6: opts.ipv6, external: opts.external, skew: opts.skew, seed: opts.seed });
  } catch (e) {
    throw new InputError(`no flows to draw: ${(e as Error).message.replace(/^streamFlows: /, "")}`);
  }
}

export async function runGenFlows(opts: GenFlowsOptions, io: Io): Promise<number> {
  if (opts.file.length === 0) throw new UsageError("gen flows needs at least one -f PATH (a file, a directory or - for stdin)");
  if (opts.output !== "-") await refuseExisting([opts.output], opts.force);
  const flows = await flowStream(opts, io);
  const started = performance.now();
  const ipv6 = opts.ipv6 ?? 0.05;
  if (flows.ipv6 === 0 && ipv6 > 0) notice(io, opts.quiet, "no pod has an IPv6 address: every flow is IPv4");
  if (flows.ipv6 === 1 && ipv6 < 1) notice(io, opts.quiet, "no pod has an IPv4 address: every flow is IPv6");
  if (opts.output === "-") {
    const out = new BufferedWriter(io.stdout);
    await drain(flows, out);
    await out.flush();
  } else await writeFile(opts.output, opts.force, (out) => drain(flows, out));
  const n = flows.written;
  io.stderr.write(
    `${n.flows} flows (${n.podToPod} pod to pod, ${n.external} with one side outside the cluster, ${n.ipv6} IPv6) → ` +
      `${opts.output === "-" ? "stdout" : opts.output} (${seconds(started)} s)\n`,
  );
  return 0;
}
