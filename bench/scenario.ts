/** A benchmark scenario: a generated cluster loaded, compiled, and flows for it. */
import { FAMILY_V6, FlowBatch, flowAt } from "../src/engine/batch.js";
import { type Engine, compileSync } from "../src/engine/engine.js";
import { type ClusterParams, type GeneratedCluster, PRESETS, type PresetName, generateCluster, generateFlows } from "../src/gen/index.js";
import { clusterFromObjects } from "../src/model/load.js";
import type { Cluster, Flow } from "../src/model/types.js";

export interface Scenario {
  readonly name: PresetName;
  readonly objects: GeneratedCluster;
  readonly cluster: Cluster;
  readonly engine: Engine;
  readonly loadMs: number;
  readonly compileMs: number;
  readonly compileStages: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function buildScenario(name: PresetName, compileRuns = 3, overrides: Partial<ClusterParams> = {}): Scenario {
  const objects = generateCluster({ ...PRESETS[name], seed: 1, ...overrides });
  let t = performance.now();
  const { cluster } = clusterFromObjects([...objects.namespaces, ...objects.pods, ...objects.policies, ...(objects.adminPolicies ?? [])]);
  const loadMs = performance.now() - t;
  const times: number[] = [];
  let engine: Engine | undefined;
  for (let i = 0; i < compileRuns; i++) {
    t = performance.now();
    engine = compileSync(cluster);
    times.push(performance.now() - t);
  }
  return { name, objects, cluster, engine: engine!, loadMs, compileMs: median(times), compileStages: {} };
}

/** Flows of one family only (pod to pod and outside), copied out of a generated batch. */
export function familyBatch(s: Scenario, family: 4 | 6, count: number): FlowBatch {
  const all = generateFlows(s.objects, { count: count * (family === 6 ? 8 : 2), ipv6: family === 6 ? 0.5 : 0, seed: 11 });
  const out = new FlowBatch(count);
  for (let i = 0; i < all.length && out.length < count; i++) {
    if (((all.meta[i]! & FAMILY_V6) !== 0) !== (family === 6)) continue;
    const j = out.length++;
    out.src.set(all.src.subarray(i * 4, i * 4 + 4), j * 4);
    out.dst.set(all.dst.subarray(i * 4, i * 4 + 4), j * 4);
    out.meta[j] = all.meta[i]!;
  }
  if (out.length < count) throw new Error(`bench: ${s.name} gave ${out.length} IPv${family} flows of the ${count} needed`);
  return out;
}

/** The same flows as the reference evaluator takes them (parsed once, outside the timing). */
export function referenceFlows(batch: FlowBatch, count: number): Flow[] {
  return Array.from({ length: Math.min(count, batch.length) }, (_, i) => flowAt(batch, i));
}

/** A copy of a batch inside the engine's memory (or the memory its threads share), decided in place. */
export function residentCopy(engine: Engine, batch: FlowBatch, from = 0, count = batch.length - from, shared = false): FlowBatch {
  return engine.createBatch(count, { shared }).copyFrom(batch, from, count);
}
