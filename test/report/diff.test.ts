import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSync } from "../../src/engine/engine.js";
import { adminBlocks } from "../../src/compile/peers.js";
import { splitReasonKey } from "../../src/engine/reasons.js";
import { clusterObjects, tiersWithNodes } from "../../src/fuzz/index.js";
import { clusterFromObjects } from "../../src/model/load.js";
import type { Cluster, Flow, Pod } from "../../src/model/types.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { diffClusters, diffClustersReference, externalClasses } from "../../src/report/diff.js";
import { mentionedPorts } from "../../src/report/matrix.js";
import { toIPAddress as parse } from "../../src/validate/ip.js";

/** Every connection the diff should compare, decided by both reference evaluators: the changed ones. */
function bruteForce(before: Cluster, after: Cluster): Set<string> {
  const refs = [new ReferenceEvaluator(before), new ReferenceEvaluator(after)];
  const named = (c: Cluster) => new Map(c.pods.filter((p) => p.ips.length > 0).map((p) => [`${p.namespace}/${p.name}`, p]));
  const a = named(after);
  const pods = [...named(before).keys()].filter((k) => a.has(k)).map((k) => a.get(k)!);
  const taken = new Set([...before.pods, ...after.pods].flatMap((p) => p.ips.map((ip) => ip.text)));
  const blocks = [before, after].flatMap((c) => adminBlocks(c.adminPolicies ?? [], c.nodes ?? []));
  const externals = externalClasses([...before.policies, ...after.policies], taken, new Set(pods.flatMap((p) => p.ips.map((ip) => ip.family))), blocks);
  const ends: Pick<Pod, "ips" | "ports">[] = [...pods, ...externals];
  const changed = new Set<string>();
  const admin = [...(before.adminPolicies ?? []), ...(after.adminPolicies ?? [])];
  for (const spec of mentionedPorts([...before.policies, ...after.policies], admin, [...before.pods, ...after.pods])) {
    for (const s of ends) {
      for (const d of ends) {
        if (!pods.includes(s as Pod) && !pods.includes(d as Pod)) continue; // outside to outside is not compared
        const port = "port" in spec ? spec.port : d.ports.find((c) => c.name === spec.name && c.protocol === spec.protocol)?.containerPort;
        const family = ([4, 6] as const).find((f) => s.ips.some((ip) => ip.family === f) && d.ips.some((ip) => ip.family === f));
        if (port === undefined || family === undefined) continue;
        const flow: Flow = { src: s.ips.find((ip) => ip.family === family)!, dst: d.ips.find((ip) => ip.family === family)!, protocol: spec.protocol, port };
        const [v0, v1] = refs.map((r) => r.decideFlow(flow));
        if (v0 !== v1) changed.add(`${flow.src.text}>${flow.dst.text}:${port}/${spec.protocol}:${v1}`);
      }
    }
  }
  return changed;
}

describe("netpol diff (library)", () => {
  it("lists exactly the connections whose verdict the reference evaluators disagree on, with each side's reasons", () => {
    let withChanges = 0;
    fc.assert(
      fc.property(clusterObjects(), clusterObjects(), (c0, c1) => {
        const before = clusterFromObjects([...c0.namespaces, ...c0.pods, ...c0.policies]).cluster;
        const after = clusterFromObjects([...c0.namespaces, ...c0.pods, ...c1.policies]).cluster;
        const engines = { before: compileSync(before), after: compileSync(after) };
        const r = diffClusters(before, after, engines);
        const got = new Set(
          r.changes.flatMap((c) => c.src.flatMap((s) => c.dst.filter((d) => d.name !== s.name).map((d) => `${s.address}>${d.address}:${c.port.split(" ")[0]}:${c.after.verdict}`))),
        );
        expect(r.changes.every((c) => c.connections === c.src.length * c.dst.length - c.src.filter((s) => c.dst.some((d) => d.name === s.name)).length)).toBe(true);
        expect(got).toEqual(bruteForce(before, after));
        if (got.size > 0) withChanges++;
        const refAfter = new ReferenceEvaluator(after);
        for (const c of r.changes.slice(0, 5)) {
          const [port, protocol] = c.port.split(" ")[0]!.split("/");
          const [s, d] = [c.src[0]!, c.dst.find((x) => x.name !== c.src[0]!.name)!];
          const why = refAfter.explainFlow({ src: parse(s.address), dst: parse(d.address), protocol: protocol as "TCP", port: Number(port) });
          expect({ egress: engines.after.reason(c.after.egress), ingress: engines.after.reason(c.after.ingress) }).toEqual({ egress: why.egress, ingress: why.ingress });
        }
      }),
      { numRuns: 60 },
    );
    // The property saw real differences, not only empty diffs (typically a third to a half of the runs).
    expect(withChanges).toBeGreaterThan(5);
  });

  it("with admin tiers changing too: exactly the changed connections, the deciding tier named by both engines", () => {
    let withChanges = 0;
    const isNode = (o: object) => (o as { kind?: string }).kind === "Node";
    fc.assert(
      fc.property(clusterObjects(), clusterObjects(), tiersWithNodes(), tiersWithNodes(), fc.boolean(), (c0, c1, t0, t1, sameNodes) => {
        // Changed nodes make every pod affected; the same nodes on both sides test the narrower path.
        const after1 = sameNodes ? [...t1.filter((o) => !isNode(o)), ...t0.filter(isNode)] : t1;
        const before = clusterFromObjects([...c0.namespaces, ...c0.pods, ...c0.policies, ...t0]).cluster;
        const after = clusterFromObjects([...c0.namespaces, ...c0.pods, ...c1.policies, ...after1]).cluster;
        const engines = { before: compileSync(before), after: compileSync(after) };
        const r = diffClusters(before, after, engines);
        const expand = (x: ReturnType<typeof diffClusters>) =>
          new Set(x.changes.flatMap((c) => c.src.flatMap((s) => c.dst.filter((d) => d.name !== s.name).map((d) => `${s.address}>${d.address}:${c.port.split(" ")[0]}:${c.after.verdict}`))));
        const got = expand(r);
        expect(got).toEqual(bruteForce(before, after));
        if (got.size > 0) withChanges++;
        expect(expand(diffClustersReference(before, after, (x) => ({ label: JSON.stringify(x) })))).toEqual(got);
        const refAfter = new ReferenceEvaluator(after);
        for (const c of r.changes.slice(0, 5)) {
          const [port, protocol] = c.port.split(" ")[0]!.split("/");
          const [s, d] = [c.src[0]!, c.dst.find((x) => x.name !== c.src[0]!.name)!];
          const why = refAfter.explainFlow({ src: parse(s.address), dst: parse(d.address), protocol: protocol as "TCP", port: Number(port) });
          const reason = (key: number) => engines.after.reason(...splitReasonKey(key));
          expect({ egress: reason(c.after.egress), ingress: reason(c.after.ingress) }).toEqual({ egress: why.egress, ingress: why.ingress });
        }
      }),
      { numRuns: 60 },
    );
    expect(withChanges).toBeGreaterThan(5);
  });

  it("the reference evaluators' diff (connection by connection) finds the same changes as the engines' grouped one", () => {
    fc.assert(
      fc.property(clusterObjects(), clusterObjects(), (c0, c1) => {
        const before = clusterFromObjects([...c0.namespaces, ...c0.pods, ...c0.policies]).cluster;
        const after = clusterFromObjects([...c0.namespaces, ...c0.pods, ...c1.policies]).cluster;
        const expand = (r: ReturnType<typeof diffClusters>) =>
          new Set(r.changes.flatMap((c) => c.src.flatMap((s) => c.dst.filter((d) => d.name !== s.name).map((d) => `${s.address}>${d.address}:${c.port.split(" ")[0]}:${c.before.verdict}>${c.after.verdict}`))));
        const engines = { before: compileSync(before), after: compileSync(after) };
        const slow = diffClustersReference(before, after, (r) => ({ label: JSON.stringify(r) }));
        expect(expand(slow)).toEqual(expand(diffClusters(before, after, engines)));
      }),
      { numRuns: 40 },
    );
  });

  it("finds nothing when both sides are the same", () => {
    fc.assert(
      fc.property(clusterObjects(), (c) => {
        const cluster = clusterFromObjects([...c.namespaces, ...c.pods, ...c.policies]).cluster;
        const r = diffClusters(cluster, cluster, { before: compileSync(cluster), after: compileSync(cluster) });
        expect(r.changes).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});

