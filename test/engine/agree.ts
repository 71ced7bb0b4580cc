/** The differential check shared by the property tests, the regression tests and `npm run fuzz`. */
import { expect } from "vitest";
import { FlowBatch } from "../../src/engine/batch.js";
import { compileSync } from "../../src/engine/engine.js";
import type { ClusterObjects, FlowText } from "../../src/fuzz/index.js";
import { clusterFromObjects } from "../../src/model/load.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { toIPAddress } from "../../src/validate/ip.js";

const ip = toIPAddress;

/**
 * Each scenario: a random cluster and flows against it; the verdicts of both engines must
 * agree, and so must their reasons (explainBatch against the reference's explainFlow).
 * `extra`: more objects for the cluster (admin tiers, nodes).
 */
export function agree(c: ClusterObjects, flows: readonly FlowText[], extra: readonly object[] = []): void {
  const { cluster } = clusterFromObjects([...c.namespaces, ...c.pods, ...c.policies, ...extra]);
  const ref = new ReferenceEvaluator(cluster);
  const engine = compileSync(cluster);
  const sameFamily = flows.filter((f) => ip(f.src).family === ip(f.dst).family);
  const batch = new FlowBatch(sameFamily.length);
  for (const f of sameFamily) batch.push(ip(f.src), ip(f.dst), f.protocol, f.port);
  const verdicts = engine.decideBatch(batch);
  const explained = engine.explainBatch(batch);
  sameFamily.forEach((f, i) => {
    const expected = ref.decide(f.src, f.dst, f.protocol, f.port);
    const batched = verdicts[i] === 1 ? "allow" : "deny";
    expect({ flow: f, verdict: batched }).toEqual({ flow: f, verdict: expected });
    expect({ flow: f, verdict: engine.decide(f.src, f.dst, f.protocol, f.port) }).toEqual({ flow: f, verdict: expected });
    const why = ref.explainFlow({ src: ip(f.src), dst: ip(f.dst), protocol: f.protocol, port: f.port });
    const pass = (side: number) => explained.passes?.[2 * i + side] ?? 0;
    const core = {
      verdict: explained.verdicts[i] === 1 ? "allow" : "deny",
      egress: engine.reason(explained.egress[i]!, pass(0)),
      ingress: engine.reason(explained.ingress[i]!, pass(1)),
    };
    expect({ flow: f, ...core }).toEqual({ flow: f, ...why });
  });
}

