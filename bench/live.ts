/**
 * `npm run bench:live`: engine.apply on a generated cluster (LARGE by default, `--preset NAME`),
 * each kind of change against a full compile and load of the same state in the same run:
 * a pod added beside its replicas, a pod relabelled (a new identity: with a label no selector
 * reads, and with an app label no policy names), a policy added (a copy, one with peers no
 * policy has, one with a new ipBlock) and changed (a new port), a namespace relabelled (a label
 * no selector reads, and its env, which namespaceSelectors read), a pod relabelled after all
 * that; and the first live compile after a whole compile. Then, with 200 AdminNetworkPolicies and
 * a baseline: a NetworkPolicy added, an admin policy added and changed. Each figure is the median of `--runs` applies (default 7),
 * every apply undone by the next so the state stays the scenario's; `--json` prints JSON.
 */
import { parseArgs } from "node:util";
import { type Engine, type WatchEvent, compileSync } from "../src/engine/engine.js";
import type { ApplyResult } from "../src/engine/live.js";
import { PRESETS, type PresetName, generateCluster } from "../src/gen/index.js";
import type * as api from "../src/load/api.js";
import { clusterFromObjects } from "../src/model/load.js";
import { platform } from "./measure.js";

const { values } = parseArgs({ options: { preset: { type: "string", default: "LARGE" }, runs: { type: "string", default: "7" }, json: { type: "boolean", default: false } } });
const preset = values.preset as PresetName;
if (!(preset in PRESETS)) throw new Error(`bench:live: --preset takes one of ${Object.keys(PRESETS).join(", ")}`);
const runs = Number(values.runs);
const log = (s: string) => process.stderr.write(`${s}\n`);

log(`bench:live: ${preset}: generating, loading, compiling…`);
const objects = generateCluster({ ...PRESETS[preset], seed: 1 });
const all = [...objects.namespaces, ...objects.pods, ...objects.policies];
const { cluster } = clusterFromObjects(all);
const engine = compileSync(cluster);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/**
 * Applies `forward(i)` (timed) then `back(i)` (untimed, restoring the state) runs times: the
 * median time of the forward changes, each of which must rebuild what `expect` says.
 */
function measure(forward: (i: number) => WatchEvent[], back: (i: number) => WatchEvent[], expect: string, on: Engine = engine): { ms: number; update: string; stages: Readonly<Record<string, number>> } {
  const results: ApplyResult[] = [];
  for (let i = 0; i < runs; i++) {
    const r = on.apply(forward(i));
    results.push(r);
    if (r.update !== expect) throw new Error(`bench:live: expected update ${expect}, got ${r.update}`);
    on.apply(back(i));
  }
  const middle = [...results].sort((a, b) => a.ms - b.ms)[Math.floor(results.length / 2)]!;
  return { ms: middle.ms, update: expect, stages: middle.stages };
}

// The first apply builds the store of objects: not part of any figure.
const t0 = performance.now();
engine.apply([]);
const storeMs = performance.now() - t0;

const pods = objects.pods as api.Pod[];
const template = pods.find((p) => p.status?.podIP && !p.status.podIP.includes(":") && !p.spec?.hostNetwork)!;
const octets = template.status!.podIP!.split(".").map(Number);
/** A replica: same namespace, labels and ports, a free address beside the template's. */
const taken = new Set(pods.flatMap((p) => (p.status?.podIPs ?? []).map((x) => x.ip)));
let replicaIp = "";
for (let last = 1; last < 255 && !replicaIp; last++) {
  const ip = `${octets[0]}.${octets[1]}.${octets[2]}.${last}`;
  if (!taken.has(ip)) replicaIp = ip;
}
const replica: api.Pod = { ...template, metadata: { ...template.metadata, name: `${template.metadata.name}-replica` }, status: { phase: "Running", podIP: replicaIp, podIPs: [{ ip: replicaIp }] } };
// Each run a label value never seen: a new identity every time (a label no policy reads, or an
// app no policy names: either way the pod's profiles and peer classes are ones the bundle has).
const relabelled = (i: number): api.Pod => ({ ...template, metadata: { ...template.metadata, labels: { ...template.metadata.labels, "bench.netpol/relabelled": `run-${i}` } } });
const renamedApp = (i: number): api.Pod => ({ ...template, metadata: { ...template.metadata, labels: { ...template.metadata.labels, app: `bench-${i}` } } });
const policy = objects.policies[0] as api.NetworkPolicy;
const changedPolicy = (i: number): api.NetworkPolicy => ({ ...policy, spec: { ...policy.spec, policyTypes: ["Ingress", "Egress"], egress: [...(policy.spec?.egress ?? []), { ports: [{ protocol: "TCP", port: 8443 + i }] }] } });
const newPolicy: api.NetworkPolicy = { ...policy, metadata: { ...policy.metadata, name: "bench-live-added" } };
const namespace = objects.namespaces[0] as api.Namespace;
const relabelledNs = (i: number): api.Namespace => ({ ...namespace, metadata: { ...namespace.metadata, labels: { ...namespace.metadata.labels, "bench.netpol/relabelled": `run-${i}` } } });
// A namespace whose env label namespaceSelectors read (matchLabels env, env In/NotIn): moved to another env each run.
const envNamespace = (objects.namespaces as api.Namespace[]).find((n) => n.metadata.labels?.env)!;
const envs = ["dev", "staging", "prod"].filter((e) => e !== envNamespace.metadata.labels!.env);
const movedNs = (i: number): api.Namespace => ({ ...envNamespace, metadata: { ...envNamespace.metadata, labels: { ...envNamespace.metadata.labels, env: envs[i % envs.length]! } } });
// A policy with peers no policy has (a team's namespaces and an app there, another pair each run), and one with a new ipBlock.
const teams = [...new Set((objects.namespaces as api.Namespace[]).flatMap((n) => (n.metadata.labels?.team ? [n.metadata.labels.team] : [])))];
const apps = [...new Set(pods.flatMap((p) => (p.metadata.labels?.app ? [p.metadata.labels.app] : [])))];
const peersPolicy = (i: number): api.NetworkPolicy => ({
  ...policy, metadata: { ...policy.metadata, name: "bench-live-peers" },
  spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: teams[i % teams.length]! } }, podSelector: { matchLabels: { app: apps[(7 * i) % apps.length]! } } }], ports: [{ port: 8080 }] }] },
});
const blockPolicy = (i: number): api.NetworkPolicy => ({
  ...policy, metadata: { ...policy.metadata, name: "bench-live-block" },
  spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: `198.51.${100 + i}.0/24` } }] }] },
});

log(`bench:live: ${preset}: measuring applies (${runs} runs each way)…`);
const figures = {
  "pod added (existing identity)": measure(() => [{ type: "ADDED", object: replica }], () => [{ type: "DELETED", object: replica }], "addresses"),
  "pod relabelled (new identity)": measure((i) => [{ type: "MODIFIED", object: relabelled(i) }], () => [{ type: "MODIFIED", object: template }], "addresses"),
  "pod relabelled to a new app": measure((i) => [{ type: "MODIFIED", object: renamedApp(i) }], () => [{ type: "MODIFIED", object: template }], "addresses"),
  "policy added": measure(() => [{ type: "ADDED", object: newPolicy }], () => [{ type: "DELETED", object: newPolicy }], "incremental"),
  "policy changed": measure((i) => [{ type: "MODIFIED", object: changedPolicy(i) }], () => [{ type: "MODIFIED", object: policy }], "incremental"),
  "policy added (new peers)": measure((i) => [{ type: "ADDED", object: peersPolicy(i) }], (i) => [{ type: "DELETED", object: peersPolicy(i) }], "incremental"),
  "policy added (new ipBlock)": measure((i) => [{ type: "ADDED", object: blockPolicy(i) }], (i) => [{ type: "DELETED", object: blockPolicy(i) }], "incremental"),
  "namespace relabelled": measure((i) => [{ type: "MODIFIED", object: relabelledNs(i) }], () => [{ type: "MODIFIED", object: namespace }], "incremental"),
  "namespace relabelled (env, selectors read it)": measure((i) => [{ type: "MODIFIED", object: movedNs(i) }], () => [{ type: "MODIFIED", object: envNamespace }], "incremental"),
  "pod relabelled, after those changes": measure((i) => [{ type: "MODIFIED", object: relabelled(100 + i) }], () => [{ type: "MODIFIED", object: template }], "addresses"),
};
// The first live compile after a whole one numbers every address again (live classes are the compile's before its last merge).
const firstLive: number[] = [];
for (let i = 0; i < Math.min(runs, 5); i++) {
  const fresh = compileSync(cluster);
  fresh.apply([]);
  firstLive.push(fresh.apply([{ type: "ADDED", object: newPolicy }]).ms);
}
const firstLiveMs = median(firstLive);
const full: number[] = [];
for (let i = 0; i < Math.min(runs, 5); i++) {
  const t = performance.now();
  compileSync(cluster); // compile and load into a fresh engine
  full.push(performance.now() - t);
}
const fullMs = median(full);
const rows = Object.entries(figures).map(([figure, { ms, update, stages }]) => ({ figure, ms, update, share: ms / fullMs, stages }));

// The same cluster with 200 AdminNetworkPolicies and a baseline (bench's tiers scenario).
log(`bench:live: ${preset} + 200 ANPs + baseline: generating, compiling, measuring…`);
const tiered = generateCluster({ ...PRESETS[preset], seed: 1, adminPolicies: 200, baseline: true });
const tieredCluster = clusterFromObjects([...tiered.namespaces, ...tiered.pods, ...tiered.policies, ...(tiered.adminPolicies ?? [])]).cluster;
const tieredEngine = compileSync(tieredCluster);
tieredEngine.apply([]);
const anp = (tiered.adminPolicies ?? []).find((p) => p.kind === "AdminNetworkPolicy") as api.AdminNetworkPolicy;
const spec = anp.spec!;
const newAnp = (i: number): api.AdminNetworkPolicy => ({ ...anp, metadata: { name: "bench-live-anp" }, spec: { ...spec, priority: ((spec.priority ?? 0) + 1 + i) % 1000 } });
const changedAnp = (i: number): api.AdminNetworkPolicy => ({ ...anp, spec: { ...spec, ingress: [...(spec.ingress ?? []), { name: "bench", action: "Deny", from: [{ namespaces: { matchLabels: { env: "dev" } } }], ports: [{ portNumber: { protocol: "TCP", port: 9440 + i } }] }] } });
const tieredFigures = {
  "policy added": measure(() => [{ type: "ADDED", object: newPolicy }], () => [{ type: "DELETED", object: newPolicy }], "incremental", tieredEngine),
  "admin policy added": measure((i) => [{ type: "ADDED", object: newAnp(i) }], (i) => [{ type: "DELETED", object: newAnp(i) }], "incremental", tieredEngine),
  "admin policy changed (a rule with a new port)": measure((i) => [{ type: "MODIFIED", object: changedAnp(i) }], () => [{ type: "MODIFIED", object: anp }], "incremental", tieredEngine),
};
const tieredFull: number[] = [];
for (let i = 0; i < Math.min(runs, 3); i++) {
  const t = performance.now();
  compileSync(tieredCluster);
  tieredFull.push(performance.now() - t);
}
const tieredFullMs = median(tieredFull);
for (const [figure, { ms, update, stages }] of Object.entries(tieredFigures)) rows.push({ figure: `+ 200 ANPs: ${figure}`, ms, update, share: ms / tieredFullMs, stages });

/** The largest stages of an apply, for the table: where its time went. */
const largest = (stages: Readonly<Record<string, number>>) =>
  Object.entries(stages).filter(([, ms]) => ms >= 0.05).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, ms]) => `${k} ${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)}`).join(" · ");
if (values.json) process.stdout.write(`${JSON.stringify({ platform: platform(), preset, fullCompileMs: fullMs, tieredFullCompileMs: tieredFullMs, storeMs, firstLiveMs, rows })}\n`);
else {
  process.stdout.write(`${platform()}\n\n| ${preset} change | apply | rebuilt | of a full compile + load (${fullMs.toFixed(0)} ms) | largest stages (ms) |\n| --- | ---: | --- | ---: | --- |\n`);
  for (const r of rows) process.stdout.write(`| ${r.figure} | ${r.ms < 10 ? r.ms.toFixed(2) : r.ms.toFixed(0)} ms | ${r.update} | ${(100 * r.share).toFixed(1)}% | ${largest(r.stages)} |\n`);
  process.stdout.write(`\nRows "+ 200 ANPs" are against a full compile + load of that cluster (${tieredFullMs.toFixed(0)} ms). `);
  process.stdout.write(`The first apply built the store of ${all.length} objects in ${storeMs.toFixed(0)} ms (once per engine); the first live compile after a whole compile took ${firstLiveMs.toFixed(0)} ms (it numbers every pod address again, once).\n`);
}
