/**
 * The live-update property shared by test/engine/live.test.ts and `npm run fuzz`: a random
 * cluster, batches of watch events against it (a second cluster's objects, admin tiers and
 * nodes, replicas, relabelled pods, deletions), applied to one engine; afterwards the engine
 * must decide and explain as the reference evaluator of the final state. Batches the loader
 * would refuse must be refused by apply and change nothing.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { FlowBatch } from "../../src/engine/batch.js";
import { type Engine, type WatchEvent, compileSync, loadBundleSync } from "../../src/engine/engine.js";
import { splitReasonKey, sideKey } from "../../src/engine/reasons.js";
import { adminTiers, clusterObjects, type ClusterObjects, flowFor, tiersWithNodes, vocabulary } from "../../src/fuzz/index.js";
import { PolicyError } from "../../src/load/diagnostics.js";
import { clusterFromObjects } from "../../src/model/load.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { toIPAddress } from "../../src/validate/ip.js";

type Obj = { kind: string; metadata: { name?: string; namespace?: string; labels?: Record<string, string> }; status?: { podIP?: string; podIPs?: { ip: string }[] } };
const keyOf = (o: Obj) => `${o.kind}/${o.kind === "Pod" || o.kind === "NetworkPolicy" ? (o.metadata.namespace ?? "default") : ""}/${o.metadata.name}`;

/** A replica of a pod: same namespace, labels and ports, a new name and address (the fast path's case). */
function replica(p: Obj, n: number): Obj {
  const ip = `10.0.0.${120 + n}`;
  return { ...p, metadata: { ...p.metadata, name: `${p.metadata.name}-r${n}` }, status: { podIP: ip, podIPs: [{ ip }] } };
}

/** Events drawn from a second cluster, admin tiers, replicas, relabelled pods and deletions of anything seen. */
export function eventsFor(c0: ClusterObjects): fc.Arbitrary<WatchEvent[][]> {
  return fc.tuple(clusterObjects(), tiersWithNodes()).chain(([c1, tiers]) => {
    const pods0 = c0.pods as Obj[];
    const candidates: Obj[] = [...(c1.namespaces as Obj[]), ...(c1.pods as Obj[]), ...(c1.policies as Obj[]), ...(tiers as Obj[])];
    const replicas = pods0.filter((p) => p.status?.podIP).flatMap((p, i) => [replica(p, 2 * i), replica(p, 2 * i + 1)]);
    // Relabelled pods: a label no selector reads (their peer classes stay), or ones selectors do read.
    const relabel = (p: Obj, labels: Record<string, string>) => ({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, ...labels } } });
    const relabelled = pods0.flatMap((p) => [relabel(p, { moved: "yes" }), relabel(p, { tier: "b" }), relabel(p, { app: "a", env: "" })]);
    const upsert = fc.constantFrom(...candidates, ...replicas, ...replicas, ...(relabelled.length ? relabelled : candidates)).map((object) => ({ type: "ADDED" as const, object }));
    const modify = upsert.map((e) => ({ ...e, type: "MODIFIED" as const }));
    const all = [...(c0.namespaces as Obj[]), ...pods0, ...(c0.policies as Obj[]), ...candidates, ...replicas];
    const remove = fc.constantFrom(...all).map((object) => ({ type: "DELETED" as const, object }));
    const event = fc.oneof({ weight: 3, arbitrary: upsert }, { weight: 1, arbitrary: modify }, { weight: 2, arbitrary: remove });
    return fc.array(fc.array(event, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 });
  });
}

/** The engine against the reference evaluator of `objects`, on flows drawn for them. */
function holds(engine: Engine, objects: readonly Obj[], flows: readonly { src: string; dst: string; protocol: "TCP" | "UDP" | "SCTP"; port: number }[]): void {
  const { cluster } = clusterFromObjects(objects);
  const ref = new ReferenceEvaluator(cluster);
  const same = flows.filter((f) => toIPAddress(f.src).family === toIPAddress(f.dst).family);
  const batch = new FlowBatch(same.length);
  for (const f of same) batch.push(toIPAddress(f.src), toIPAddress(f.dst), f.protocol, f.port);
  const x = engine.explainBatch(batch);
  const saved = loadBundleSync(engine.bundle()).decideBatch(batch);
  same.forEach((f, i) => {
    const why = ref.explainFlow({ src: toIPAddress(f.src), dst: toIPAddress(f.dst), protocol: f.protocol, port: f.port });
    const got = { verdict: x.verdicts[i] === 1 ? "allow" : "deny", egress: engine.reason(...splitReasonKey(sideKey(x, i, 0))), ingress: engine.reason(...splitReasonKey(sideKey(x, i, 1))) };
    expect({ flow: f, ...got }).toEqual({ flow: f, ...why });
    expect({ flow: f, saved: saved[i] }).toEqual({ flow: f, saved: x.verdicts[i] });
  });
}


/**
 * The engine against a whole compile of `objects` on every flow between the addresses of `pods`
 * and the outside addresses, on the ports the generators use and their neighbours, in every
 * protocol: verdicts and reasons (as names: the two number their tables differently).
 */
function matchesWholeCompile(engine: Engine, objects: readonly Obj[], pods: readonly Obj[]): void {
  const whole = compileSync(clusterFromObjects(objects).cluster);
  const addresses = [...new Set([...pods.flatMap((p) => (p.status?.podIPs ?? []).map((x) => x.ip)), ...vocabulary.EXTERNAL_ADDRESSES])].map((a) => toIPAddress(a));
  const ports = [...new Set(vocabulary.PORT_NUMBERS.flatMap((p) => [p, p + 1]))];
  const batch = new FlowBatch(addresses.length * addresses.length * ports.length * 3);
  for (const src of addresses) {
    for (const dst of addresses) {
      if (src.family !== dst.family) continue;
      for (const protocol of ["TCP", "UDP", "SCTP"] as const) for (const port of ports) batch.push(src, dst, protocol, port);
    }
  }
  // Policies by name: an engine given a whole state (replace) keeps its own numbering of them.
  const named = (e: Engine, r: ReturnType<Engine["reason"]>) => {
    const x = r as { policy?: unknown; policies?: unknown[] };
    const name = (p: unknown) => (typeof p === "number" ? e.policyName(p) : p); // tier policies are named already
    return { ...r, ...(x.policy !== undefined ? { policy: name(x.policy) } : {}), ...(x.policies ? { policies: x.policies.map(name) } : {}) };
  };
  const verdicts = (e: Engine) => {
    const x = e.explainBatch(batch);
    const decoded = new Map<number, string>();
    const side = (i: number, d: 0 | 1) => {
      const key = sideKey(x, i, d);
      let r = decoded.get(key);
      if (r === undefined) decoded.set(key, (r = JSON.stringify(named(e, e.reason(...splitReasonKey(key))))));
      return r;
    };
    return Array.from({ length: batch.length }, (_, i) => `${x.verdicts[i]} ${side(i, 0)} ${side(i, 1)}`);
  };
  const [got, want] = [verdicts(engine), verdicts(whole)];
  for (let i = 0; i < batch.length; i++) if (got[i] !== want[i]) expect({ flow: i, got: got[i] }).toEqual({ flow: i, got: want[i] });
}

/** A scenario: the starting cluster, the batches of events, a seed for the flows checked at the end. */
export const liveScenario = scenarioFrom(clusterObjects());

/**
 * Scenarios that start from many pods and few policies: the peer classes of such a cluster hold
 * many pods each, so the policies, namespace labels and pods that events bring split and move
 * them (what live compiles must get right).
 */
export const liveSplitScenario = scenarioFrom(
  clusterObjects({ maxPods: 16, maxPolicies: 3 })
    .filter((c) => c.pods.filter((p) => p.status?.podIPs).length >= 6)
    // Most without named ports: a named port sets its pods apart from all others.
    .map((c) => ({ ...c, pods: c.pods.map((p, i) => (i % 4 === 0 ? p : { ...p, spec: { ...p.spec, containers: [{ name: "c" }] } })) })),
  policyEventsFor,
);

function scenarioFrom(start: fc.Arbitrary<ClusterObjects>, events = eventsFor) {
  return fc.tuple(start.chain((c0) => fc.tuple(fc.constant(c0), events(c0))), fc.integer({ min: 0, max: 1000 }));
}

/** Mostly policies (added, changed, deleted; admin tiers too) and namespace labels, some relabelled pods. */
function policyEventsFor(c0: ClusterObjects): fc.Arbitrary<WatchEvent[][]> {
  return fc.tuple(clusterObjects({ maxPolicies: 6 }), adminTiers(3), adminTiers(2)).chain(([c1, tiers, others]) => {
    const pods0 = c0.pods as Obj[];
    const relabel = (p: Obj, labels: Record<string, string>) => ({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, ...labels } } });
    const relabelled = pods0.flatMap((p) => [relabel(p, { tier: "b" }), relabel(p, { app: "a" })]);
    // Policies of the second cluster beside those of the first (renamed) and in their place (same names).
    const policies = (c1.policies as Obj[]).flatMap((p) => [p, { ...p, metadata: { ...p.metadata, name: `new-${p.metadata.name}` } }]);
    // Admin tiers, and others of the same names (changed in place).
    const admin = [...(tiers as Obj[]), ...(others as Obj[])];
    // The first cluster's namespaces with one another's labels (and none): namespaceSelectors that told them apart now see them swapped.
    const ns0 = c0.namespaces as Obj[];
    const swapped = ns0.flatMap((n) => [...ns0.map((m) => ({ ...n, metadata: { ...n.metadata, labels: m.metadata.labels } })), { ...n, metadata: { ...n.metadata, labels: {} } }]);
    const upsert = fc.oneof(
      { weight: 4, arbitrary: policies.length ? fc.constantFrom(...policies) : fc.constantFrom(...(c1.namespaces as Obj[])) },
      { weight: 3, arbitrary: fc.constantFrom(...swapped) },
      { weight: 2, arbitrary: admin.length ? fc.constantFrom(...admin) : fc.constantFrom(...swapped) },
      { weight: 1, arbitrary: fc.constantFrom(...(c1.namespaces as Obj[])) },
      { weight: 1, arbitrary: fc.constantFrom(...relabelled) },
    ).map((object) => ({ type: "MODIFIED" as const, object }));
    const remove = fc.constantFrom(...(c0.policies as Obj[]), ...policies, ...admin, ...pods0).map((object) => ({ type: "DELETED" as const, object }));
    const event = fc.oneof({ weight: 4, arbitrary: upsert }, { weight: 1, arbitrary: remove });
    return fc.array(fc.array(event, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 });
  });
}

/** Runs one scenario; counts which path each batch took in `paths`. */
export function checkLive([[c0, batches], seed]: [[ClusterObjects, WatchEvent[][]], number], paths: Record<"addresses" | "incremental" | "recompiled" | "none" | "refused", number>): void {
  const state = new Map<string, Obj>();
  for (const o of [...c0.namespaces, ...c0.pods, ...c0.policies] as Obj[]) state.set(keyOf(o), o);
  const engine = compileSync(clusterFromObjects([...state.values()]).cluster);
  for (const events of batches) {
    const next = new Map(state);
    for (const e of events) {
      if (e.type === "DELETED") next.delete(keyOf(e.object as Obj));
      else next.set(keyOf(e.object as Obj), e.object as Obj);
    }
    let valid = true;
    try {
      clusterFromObjects([...next.values()]);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      valid = false;
    }
    if (valid) {
      const r = engine.apply(events);
      paths[r.update]++;
      state.clear();
      for (const [k, v] of next) state.set(k, v);
    } else {
      expect(() => engine.apply(events)).toThrow(PolicyError);
      paths.refused++;
    }
  }
  // Flows between the addresses of every pod ever seen: deleted and moved ones too.
  const seen = [...c0.pods, ...batches.flat().map((e) => e.object)].filter((o) => (o as Obj).kind === "Pod");
  const flows = fc.sample(fc.array(flowFor({ namespaces: [], pods: seen as never, policies: [] }), { minLength: 30, maxLength: 30 }), { numRuns: 1, seed })[0]!;
  holds(engine, [...state.values()], flows);
  matchesWholeCompile(engine, [...state.values()], seen as Obj[]);
  // The same final state given whole (engine.replace, as a reload of manifests does) to an engine
  // of the start: objects it had keep their places (policies their numbers), new ones come last.
  const start = [...c0.namespaces, ...c0.pods, ...c0.policies] as Obj[];
  const replaced = compileSync(clusterFromObjects(start).cluster);
  replaced.replace(clusterFromObjects([...state.values()]).cluster);
  const had = new Set(start.map(keyOf));
  const inPlace = [...start.filter((o) => state.has(keyOf(o))).map((o) => state.get(keyOf(o))!), ...[...state.values()].filter((o) => !had.has(keyOf(o)))];
  matchesWholeCompile(replaced, inPlace, seen as Obj[]);
}
