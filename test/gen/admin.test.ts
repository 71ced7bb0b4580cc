import { describe, expect, it } from "vitest";
import { generateCluster, PRESETS } from "../../src/gen/index.js";
import { clusterFromObjects } from "../../src/model/load.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";

const params = { ...PRESETS.MEDIUM, seed: 5 };

describe("generated admin tiers", () => {
  it("LARGE plus 200 admin policies and the baseline loads, validates and decides (issue 6's scenario)", () => {
    const g = generateCluster({ ...PRESETS.LARGE, seed: 1, adminPolicies: 200, baseline: true });
    expect(g.adminPolicies).toHaveLength(201);
    const { cluster, warnings } = clusterFromObjects([...g.namespaces, ...g.pods, ...g.policies, ...g.adminPolicies!]);
    expect(warnings.filter((w) => w.severity === "warning" && !/priority \d+ \(\w+ tier\) is shared/.test(w.message))).toEqual([]);
    expect(cluster.adminPolicies!.filter((p) => p.tier === "baseline")).toHaveLength(1);
    const names = new Set(cluster.adminPolicies!.map((p) => p.name));
    expect(names.size).toBe(201);
    const kinds = new Set(cluster.adminPolicies!.flatMap((p) => [...p.ingress, ...p.egress].flatMap((r) => [r.action, ...r.peers.map((x) => x.kind), ...(r.ports ?? []).map((x) => x.kind)])));
    for (const k of ["Allow", "Deny", "Pass", "namespaces", "pods", "networks", "number", "range", "named"]) expect(kinds).toContain(k);
    // The tiers change verdicts: the metadata address is denied to everyone.
    const ref = new ReferenceEvaluator(cluster);
    const pod = cluster.pods.find((p) => p.ips.length > 0)!;
    expect(ref.decide(pod.ips[0]!.text, "169.254.169.254", "TCP", 80)).toBe("deny");
  });

  it("is deterministic, and leaves everything else as it was without admin policies", () => {
    const a = generateCluster({ ...params, adminPolicies: 20 });
    expect(generateCluster({ ...params, adminPolicies: 20 })).toEqual(a);
    const plain = generateCluster(params);
    expect({ namespaces: a.namespaces, pods: a.pods, policies: a.policies }).toEqual(plain);
    expect(plain.adminPolicies).toBeUndefined();
  });

  it("refuses a negative or fractional count", () => {
    expect(() => generateCluster({ ...params, adminPolicies: -1 })).toThrow(/adminPolicies must be a whole number/);
    expect(() => generateCluster({ ...params, adminPolicies: 1.5 })).toThrow(/adminPolicies must be a whole number/);
  });
});
