/**
 * `npm run bench:live`: engine.apply on a generated cluster (LARGE by default, `--preset NAME`),
 * each kind of change against a full compile and load of the same state in the same run:
 * a pod added beside its replicas, a pod relabelled (a new identity: with a label no selector
 * reads, and with an app label no policy names), a policy added and changed, a namespace
 * relabelled. Each figure is the median of `--runs` applies (default 7),
 * every apply undone by the next so the state stays the scenario's; `--json` prints JSON.
 */
import { parseArgs } from "node:util";
import { type WatchEvent, compileSync } from "../src/engine/engine.js";
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
function measure(forward: (i: number) => WatchEvent[], back: (i: number) => WatchEvent[], expect: string): { ms: number; update: string } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = engine.apply(forward(i));
    times.push(r.ms);
    if (r.update !== expect) throw new Error(`bench:live: expected update ${expect}, got ${r.update}`);
    engine.apply(back(i));
  }
  return { ms: median(times), update: expect };
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

log(`bench:live: ${preset}: measuring applies (${runs} runs each way)…`);
const figures = {
  "pod added (existing identity)": measure(() => [{ type: "ADDED", object: replica }], () => [{ type: "DELETED", object: replica }], "addresses"),
  "pod relabelled (new identity)": measure((i) => [{ type: "MODIFIED", object: relabelled(i) }], () => [{ type: "MODIFIED", object: template }], "addresses"),
  "pod relabelled to a new app": measure((i) => [{ type: "MODIFIED", object: renamedApp(i) }], () => [{ type: "MODIFIED", object: template }], "addresses"),
  "policy added": measure(() => [{ type: "ADDED", object: newPolicy }], () => [{ type: "DELETED", object: newPolicy }], "incremental"),
  "policy changed": measure((i) => [{ type: "MODIFIED", object: changedPolicy(i) }], () => [{ type: "MODIFIED", object: policy }], "incremental"),
  "namespace relabelled": measure((i) => [{ type: "MODIFIED", object: relabelledNs(i) }], () => [{ type: "MODIFIED", object: namespace }], "incremental"),
};
const full: number[] = [];
for (let i = 0; i < Math.min(runs, 5); i++) {
  const t = performance.now();
  compileSync(cluster); // compile and load into a fresh engine
  full.push(performance.now() - t);
}
const fullMs = median(full);
const rows = Object.entries(figures).map(([figure, { ms, update }]) => ({ figure, ms, update, share: ms / fullMs }));

if (values.json) process.stdout.write(`${JSON.stringify({ platform: platform(), preset, fullCompileMs: fullMs, storeMs, rows })}\n`);
else {
  process.stdout.write(`${platform()}\n\n| ${preset} change | apply | rebuilt | of a full compile + load (${fullMs.toFixed(0)} ms) |\n| --- | ---: | --- | ---: |\n`);
  for (const r of rows) process.stdout.write(`| ${r.figure} | ${r.ms < 10 ? r.ms.toFixed(2) : r.ms.toFixed(0)} ms | ${r.update} | ${(100 * r.share).toFixed(1)}% |\n`);
  process.stdout.write(`\nThe first apply built the store of ${all.length} objects in ${storeMs.toFixed(0)} ms (once per engine).\n`);
}
