/**
 * engine.apply: after any sequence of watch events, the engine decides and explains exactly as
 * a full compile of the final state (held here to the reference evaluator of that state); a
 * batch with a bad object or a duplicate address changes nothing; the updated bundle() is the
 * state's bundle.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlowBatch } from "../../src/engine/batch.js";
import { type Engine, type WatchEvent, compileSync, loadBundleSync } from "../../src/engine/engine.js";
import { splitReasonKey, sideKey } from "../../src/engine/reasons.js";
import { clusterObjects, type ClusterObjects, flowFor, tiersWithNodes } from "../../src/fuzz/index.js";
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
function eventsFor(c0: ClusterObjects): fc.Arbitrary<WatchEvent[][]> {
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

describe("engine.apply (live updates)", () => {
  it("after any sequence of watch events the engine equals a full compile of the final state; refused batches change nothing", () => {
    const paths = { addresses: 0, recompiled: 0, none: 0, refused: 0 };
    fc.assert(
      fc.property(
        clusterObjects().chain((c0) => fc.tuple(fc.constant(c0), eventsFor(c0))),
        fc.integer({ min: 0, max: 1000 }),
        ([c0, batches], seed) => {
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
        },
      ),
      { numRuns: 400 },
    );
    // Both paths and refusals were exercised, not only one of them.
    expect(paths.addresses).toBeGreaterThan(20);
    expect(paths.recompiled).toBeGreaterThan(20);
    expect(paths.refused).toBeGreaterThan(3);
  });

  it("a pod added beside its replicas only rebuilds the address tables, and decides at once", () => {
    const { cluster } = clusterFromObjects(shop());
    const engine = compileSync(cluster);
    const r = engine.apply([{ type: "ADDED", object: pod("api-2", "10.0.1.9", { app: "api" }) }]);
    expect(r.update).toBe("addresses");
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("allow");
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5433)).toBe("deny");
    // A new identity that every peer set treats like one the bundle has (no selector reads its
    // labels) fits the tables too; a pod in a namespace the bundle does not know compiles again.
    const other = pod("tool", "10.0.1.10", { app: "tool" });
    expect(engine.apply([{ type: "ADDED", object: other }]).update).toBe("addresses");
    expect(engine.decide("10.0.1.10", "10.0.2.1", "TCP", 5432)).toBe("deny");
    const elsewhere = { ...pod("job", "10.0.3.1", { app: "api" }), metadata: { name: "job", namespace: "ops", labels: { app: "api" } } };
    expect(engine.apply([{ type: "ADDED", object: elsewhere }]).update).toBe("recompiled");
    expect(engine.decide("10.0.3.1", "10.0.2.1", "TCP", 5432)).toBe("deny"); // the db policy's peers are pods of shop
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("allow");
    expect(engine.apply([{ type: "DELETED", object: other }, { type: "DELETED", object: pod("api-2", "10.0.1.9", { app: "api" }) }]).update).toBe("addresses");
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("deny");
    // An event that changes nothing rebuilds nothing; the saved bundle is the live state's.
    expect(engine.apply([{ type: "MODIFIED", object: pod("api-1", "10.0.1.1", { app: "api" }) }]).update).toBe("none");
    const saved = loadBundleSync(engine.bundle());
    expect(saved.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("deny");
    expect(saved.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow");
  });

  it("a bad object is refused with its kind, name and field, and the engine keeps its tables", () => {
    const engine = compileSync(clusterFromObjects(shop()).cluster);
    const bad = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "bad", namespace: "shop" }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] } };
    expect(() => engine.apply([{ type: "ADDED", object: pod("api-3", "10.0.1.11", { app: "api" }) }, { type: "ADDED", object: bad }])).toThrow(/NetworkPolicy shop\/bad: spec\.ingress\[0\]\.ports\[0\]\.port/);
    expect(engine.decide("10.0.1.11", "10.0.2.1", "TCP", 5432)).toBe("deny"); // api-3 was not added: an outside address
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow");
    expect(() => engine.apply([{ type: "ADDED", object: pod("copy", "10.0.1.1", { app: "api" }) }])).toThrow(/Duplicate value: "10\.0\.1\.1": address already owned by running Pod shop\/api-1/);
    expect(() => engine.apply([{ type: "UPDATED" as never, object: bad }])).toThrow(/ADDED, MODIFIED or DELETED/);
    expect(() => loadBundleSync(engine.bundle()).apply([])).toThrow(/loaded from a bundle/);
  });
});

function pod(name: string, ip: string, labels: Record<string, string>) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "shop", labels }, spec: { containers: [{ name: "c" }] }, status: { phase: "Running", podIP: ip } };
}

function shop(): object[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
    pod("api-1", "10.0.1.1", { app: "api" }),
    pod("db-0", "10.0.2.1", { app: "db" }),
    {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "db", namespace: "shop" },
      spec: { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "api" } } }], ports: [{ port: 5432 }] }] },
    },
  ];
}
