/**
 * `npm run bench`: the engine's speed and size on the generated scenarios MEDIUM, LARGE and XL,
 * every ratio measured side by side in one run. `--quick` runs SMALL briefly (CI proves the
 * benches run); `--only NAME` picks scenarios; `--json` prints the figures as JSON. LARGE also
 * runs with 200 admin policies and a baseline against its NetworkPolicy-only self.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { parseArgs } from "node:util";
import type { FlowBatch } from "../src/engine/batch.js";
import "../src/engine/parallel.js";
import type { PresetName } from "../src/gen/index.js";
import { generateFlows } from "../src/gen/index.js";
import { ReferenceEvaluator } from "../src/reference/evaluator.js";
import { measure, platform } from "./measure.js";
import { buildScenario, familyBatch, referenceFlows, residentCopy } from "./scenario.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "boolean", default: false },
    "threads-only": { type: "boolean", default: false },
    "tiers-only": { type: "boolean", default: false },
  },
});
const threadsOnly = values["threads-only"]!;
const tiersOnly = values["tiers-only"]!;
const quick = values.quick!;
const names = (values.only?.split(",") ?? (quick ? ["SMALL"] : ["MEDIUM", "LARGE", "XL"])) as PresetName[];
const maxTime = quick ? 0.05 : 1.5;
const FLOWS = quick ? 20_000 : 1_000_000;
const REFERENCE_SAMPLE = quick ? 500 : 20_000;

interface Row {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  note?: string;
}
const rows: Row[] = [];
const add = (scenario: string, figure: string, value: number, unit: string, note?: string) => rows.push({ scenario, figure, value, unit, note });
const log = (s: string) => process.stderr.write(`${s}\n`);

// Several scenarios: each runs in a process of its own, so one scenario's heap and JIT state
// never colour another's figures.
function child(name: string, extra: string[] = []): void {
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, "--only", name, "--json", ...(quick ? ["--quick"] : []), ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench: ${name} failed (exit ${r.status})`);
  rows.push(...(JSON.parse(r.stdout) as { rows: Row[] }).rows);
}

if (names.length > 1) for (const name of names) child(name);

if (threadsOnly && names.length === 1) {
  const s = buildScenario(names[0]!, 1);
  await threads(names[0]!, s, generateFlows(s.objects, { count: FLOWS, seed: 2 }));
}

if (tiersOnly && names.length === 1) tiers(names[0]!);

for (const name of names.length > 1 || threadsOnly || tiersOnly ? [] : names) {
  log(`bench: ${name}: generating, loading, compiling…`);
  // The quick run makes SMALL dual-stack so that every measurement has flows to measure.
  const s = buildScenario(name, quick ? 1 : 3, quick ? { dualStack: 0.3 } : {});
  const st = s.engine.stats!;
  add(name, "load + validate", s.loadMs, "ms");
  add(name, "compile", s.compileMs, "ms", "median of 3");
  add(name, "bundle", st.bundleBytes / st.pods, "bytes/pod", `${(st.bundleBytes / 1e6).toFixed(2)} MB`);
  add(name, "tables", st.identities, "identities", `${st.peerClasses} peer classes, ${st.cidrClasses} CIDR classes, ${st.portClasses} port classes, ${st.profiles} profiles, ${st.rows} rows`);

  const flows = generateFlows(s.objects, { count: FLOWS, seed: 2 });
  const resident = residentCopy(s.engine, flows);
  const out = new Uint8Array(flows.length);
  const explained = { verdicts: out, egress: new Uint32Array(flows.length), ingress: new Uint32Array(flows.length) };
  const ref = new ReferenceEvaluator(s.cluster);
  const sample = referenceFlows(flows, REFERENCE_SAMPLE);
  log(`bench: ${name}: measuring decideBatch, explainBatch and the reference…`);
  const m = measure(
    {
      decideBatch: () => s.engine.decideBatch(resident, out),
      "decideBatch (copied in)": () => s.engine.decideBatch(flows, out),
      reference: () => {
        for (const f of sample) ref.decideFlow(f);
      },
    },
    maxTime,
  );
  const batchRate = m.get("decideBatch")!.hz * flows.length;
  const refRate = m.get("reference")!.hz * sample.length;
  add(name, "decideBatch", batchRate / 1e6, "M decisions/s", `±${m.get("decideBatch")!.rme.toFixed(1)}%`);
  add(name, "decideBatch (copied in)", (m.get("decideBatch (copied in)")!.hz * flows.length) / 1e6, "M decisions/s");
  // explainBatch against decideBatch: interleaved rounds on the same resident batch, best of each,
  // so the machine's drift between two benchmark.js runs does not become the ratio.
  let decideBest = Infinity;
  let explainBest = Infinity;
  for (let round = 0; round < (quick ? 2 : 15); round++) {
    let t = performance.now();
    s.engine.decideBatch(resident, out);
    decideBest = Math.min(decideBest, performance.now() - t);
    t = performance.now();
    s.engine.explainBatch(resident, explained);
    explainBest = Math.min(explainBest, performance.now() - t);
  }
  const explainRate = flows.length / (explainBest / 1000);
  add(name, "explainBatch", explainRate / 1e6, "M flows/s", `verdict and both reasons; ${((100 * decideBest) / explainBest).toFixed(0)}% of decideBatch (${(flows.length / decideBest / 1e3).toFixed(1)} M/s) in ${quick ? 2 : 15} interleaved rounds`);
  add(name, "reference evaluator", refRate / 1e3, "k decisions/s");
  add(name, "decideBatch ÷ reference", batchRate / refRate, "×");
  if (name === "LARGE" || quick) {
    detail(name, s);
    // All cores and the admin tiers are measured in processes of their own, free of this one's heap.
    if (quick) {
      await threads(name, s, flows);
      tiers(name);
    } else {
      child(name, ["--threads-only"]);
      child(name, ["--tiers-only"]);
    }
  }
}

/**
 * Admin tiers: the scenario plus 200 AdminNetworkPolicies (a few in quick mode) and a baseline,
 * against the same cluster without them, on the same flows: decideBatch of both engines in
 * interleaved rounds, best of each, and explainBatch of the tiered one.
 */
function tiers(name: PresetName): void {
  const admin = quick ? 8 : 200;
  const label = `${name} + ${admin} ANPs + baseline`;
  log(`bench: ${label}: generating, loading, compiling…`);
  const plain = buildScenario(name, 1);
  const tiered = buildScenario(name, quick ? 1 : 3, { adminPolicies: admin, baseline: true });
  const st = tiered.engine.stats!;
  const policies = tiered.cluster.adminPolicies?.length ?? 0;
  if (policies !== admin + 1) throw new Error(`bench: ${label} loaded ${policies} admin-tier policies`);
  add(label, "compile", tiered.compileMs, "ms", `median of ${quick ? 1 : 3}; ${plain.compileMs.toFixed(0)} ms without the tiers`);
  add(label, "bundle", st.bundleBytes / st.pods, "bytes/pod", `${(st.bundleBytes / 1e6).toFixed(2)} MB; ${st.profiles} profiles, ${st.rows} rows`);
  const flows = generateFlows(tiered.objects, { count: FLOWS, seed: 2 });
  const residents = [residentCopy(plain.engine, flows), residentCopy(tiered.engine, flows)] as const;
  const out = new Uint8Array(flows.length);
  const verdicts = [plain.engine.decideBatch(flows), tiered.engine.decideBatch(flows)];
  const changed = verdicts[0]!.reduce((n, v, i) => n + (v !== verdicts[1]![i] ? 1 : 0), 0);
  const explained = tiered.engine.createExplanations(flows.length);
  log(`bench: ${label}: measuring decideBatch with and without the tiers, explainBatch…`);
  let [plainBest, tieredBest, explainBest] = [Infinity, Infinity, Infinity];
  const rounds = quick ? 2 : 20;
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    plain.engine.decideBatch(residents[0], out);
    plainBest = Math.min(plainBest, performance.now() - t);
    t = performance.now();
    tiered.engine.decideBatch(residents[1], out);
    tieredBest = Math.min(tieredBest, performance.now() - t);
    t = performance.now();
    tiered.engine.explainBatch(residents[1], explained);
    explainBest = Math.min(explainBest, performance.now() - t);
  }
  const rate = (ms: number) => flows.length / ms / 1e3;
  add(label, "decideBatch", rate(tieredBest), "M decisions/s",
    `${((100 * plainBest) / tieredBest).toFixed(0)}% of ${name} without the tiers (${rate(plainBest).toFixed(1)} M/s) on the same flows, best of ${rounds} interleaved rounds; the tiers change ${changed} of ${flows.length} verdicts`);
  add(label, "explainBatch", rate(explainBest), "M flows/s", `verdict, both reasons and Pass rules; ${((100 * tieredBest) / explainBest).toFixed(0)}% of its decideBatch`);
}

/**
 * All cores: decideParallel against decideBatch, the same flows, each at its best (already in
 * the memory it decides from: the engine's, or the one its threads share); interleaved rounds,
 * best of each. Also decideParallel on an ordinary batch, which it copies in first.
 */
async function threads(name: string, s: ReturnType<typeof buildScenario>, flows: FlowBatch): Promise<void> {
  const n = availableParallelism();
  const resident = residentCopy(s.engine, flows);
  const shared = residentCopy(s.engine, flows, 0, flows.length, true);
  const out = new Uint8Array(flows.length);
  log(`bench: ${name}: measuring decideParallel on ${n} threads…`);
  const expected = s.engine.decideBatch(flows);
  for (const batch of [shared, flows]) {
    const parallel = await s.engine.decideParallel(batch, { threads: n, out });
    if (!parallel.every((v, i) => v === expected[i])) throw new Error("bench: decideParallel disagrees with decideBatch");
  }
  let single = 0;
  let multi = 0;
  let copied = 0;
  const rate = (t: number) => flows.length / ((performance.now() - t) / 1000);
  for (let round = 0; round < (quick ? 2 : 20); round++) {
    let t = performance.now();
    s.engine.decideBatch(resident, out);
    single = Math.max(single, rate(t));
    t = performance.now();
    await s.engine.decideParallel(shared, { threads: n, out });
    multi = Math.max(multi, rate(t));
    t = performance.now();
    await s.engine.decideParallel(flows, { threads: n, out });
    copied = Math.max(copied, rate(t));
  }
  await s.engine.close();
  const rounds = `best of ${quick ? 2 : 20} interleaved rounds`;
  add(name, `decideParallel, ${n} threads`, multi / 1e6, "M decisions/s", `${(multi / single).toFixed(2)}× decideBatch on 1 thread (${(single / 1e6).toFixed(1)} M/s), both in place; verdicts identical; ${rounds}`);
  add(name, `decideParallel, ${n} threads, ordinary batch`, copied / 1e6, "M decisions/s", `${(copied / single).toFixed(2)}× one thread; the batch copied into shared memory first; ${rounds}`);
}

/** LARGE only: IPv6 cost, one call per flow, and how small a batch reaches the peak. */
function detail(name: string, s: ReturnType<typeof buildScenario>): void {
  const n = quick ? 4_096 : 262_144;
  const v4 = residentCopy(s.engine, familyBatch(s, 4, n));
  const v6 = residentCopy(s.engine, familyBatch(s, 6, n));
  const single = referenceFlows(v4, quick ? 1_000 : 10_000);
  const out = new Uint8Array(n);
  const sizes = [16, 64, 256, 1024, 16384].filter((b) => b <= n);
  // As a host does it: one batch of b flows in engine memory, refilled and decided per call.
  const batches = new Map(sizes.map((b) => [b, s.engine.createBatch(b)]));
  const source = familyBatch(s, 4, n);
  log(`bench: ${name}: measuring IPv6, single calls and batch sizes…`);
  const cases: Record<string, () => void> = {
    "IPv4 only": () => s.engine.decideBatch(v4, out),
    "IPv6 only": () => s.engine.decideBatch(v6, out),
    "decide() per flow": () => {
      for (const f of single) s.engine.decide(f.src, f.dst, f.protocol, f.port);
    },
  };
  const passes = new Map<number, () => void>();
  for (const [b, batch] of batches) {
    // The host's own flow buffers, b flows each (made outside the timing, like a parser's output).
    const chunks = Array.from({ length: n / b }, (_, c) => ({
      src: source.src.subarray(c * b * 4, (c + 1) * b * 4),
      dst: source.dst.subarray(c * b * 4, (c + 1) * b * 4),
      meta: source.meta.subarray(c * b, (c + 1) * b),
    }));
    passes.set(b, () => {
      const { src, dst, meta } = batch;
      for (const chunk of chunks) {
        src.set(chunk.src);
        dst.set(chunk.dst);
        meta.set(chunk.meta);
        batch.length = b;
        s.engine.decideBatch(batch);
      }
    });
  }
  // Shared machines are noisy: three rounds, each case keeps its best (a ratio of bests).
  const m = measure(cases, maxTime);
  for (let round = 1; round < (quick ? 1 : 3); round++) {
    for (const [k, v] of measure(cases, maxTime)) if (v.hz > m.get(k)!.hz) m.set(k, v);
  }
  const ns = (key: string, flows: number) => 1e9 / (m.get(key)!.hz * flows);
  add(name, "IPv4 decision", ns("IPv4 only", n), "ns");
  add(name, "IPv6 decision", ns("IPv6 only", n), "ns");
  add(name, "IPv6 extra cost", ns("IPv6 only", n) - ns("IPv4 only", n), "ns");
  add(name, "decide() per flow", ns("decide() per flow", single.length), "ns", "one JS→WASM call per flow; best of 3 rounds");
  // Batch sizes: one pass over the same n flows per size, sizes interleaved round after round so
  // that the machine's drift hits them all alike; each keeps its best pass.
  const best = new Map(sizes.map((b) => [b, 0]));
  for (let round = 0; round < (quick ? 2 : 30); round++) {
    for (const [b, pass] of passes) {
      const t = performance.now();
      pass();
      best.set(b, Math.max(best.get(b)!, n / ((performance.now() - t) / 1000)));
    }
  }
  const peak = Math.max(...best.values());
  for (const [b, rate] of best) add(name, `batches of ${b} flows`, (100 * rate) / peak, "% of peak", `${(rate / 1e6).toFixed(1)} M/s, refilled per call; best of 30 interleaved passes`);
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
if (values.json) {
  process.stdout.write(`${JSON.stringify({ platform: platform(), cpu: cpus()[0]?.model, rows }, null, 2)}\n`);
} else {
  process.stdout.write(`${platform()}, ${cpus()[0]?.model ?? "cpu"} × ${cpus().length}\n\n`);
  process.stdout.write("| scenario | figure | value | unit | note |\n| --- | --- | ---: | --- | --- |\n");
  for (const r of rows) process.stdout.write(`| ${r.scenario} | ${r.figure} | ${fmt(r.value)} | ${r.unit} | ${r.note ?? ""} |\n`);
}
