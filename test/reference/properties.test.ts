import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { clusterObjects, type ClusterObjects, flowFor } from "../../src/fuzz/index.js";
import type * as api from "../../src/load/api.js";
import { clusterFromObjects, loadCluster } from "../../src/model/load.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";

const all = (c: ClusterObjects) => [...c.namespaces, ...c.pods, ...c.policies];
const evaluator = (c: ClusterObjects) => new ReferenceEvaluator(clusterFromObjects(all(c)).cluster);
const scenario = clusterObjects().chain((c) => fc.tuple(fc.constant(c), fc.array(flowFor(c), { minLength: 1, maxLength: 20 })));
const RUNS = { numRuns: 300 };

describe("reference evaluator properties", () => {
  it("every generated cluster loads without errors", () => {
    fc.assert(fc.property(clusterObjects(), (c) => void clusterFromObjects(all(c))), RUNS);
  });

  it("with no NetworkPolicy every flow is allowed", () => {
    fc.assert(
      fc.property(scenario, ([c, flows]) => {
        const ref = evaluator({ ...c, policies: [] });
        for (const f of flows) expect(ref.decide(f.src, f.dst, f.protocol, f.port)).toBe("allow");
      }),
      RUNS,
    );
  });

  it("policy order never matters", () => {
    fc.assert(
      fc.property(scenario, ([c, flows]) => {
        const a = evaluator(c);
        const b = evaluator({ ...c, policies: [...c.policies].reverse() });
        for (const f of flows) expect(b.decide(f.src, f.dst, f.protocol, f.port)).toBe(a.decide(f.src, f.dst, f.protocol, f.port));
      }),
      RUNS,
    );
  });

  it("adding a rule never turns allow into deny (policies are additive)", () => {
    const rule = fc.constantFrom<api.NetworkPolicyIngressRule>({}, { ports: [{ port: 80 }] }, { from: [{ podSelector: {} }] });
    fc.assert(
      fc.property(scenario, rule, fc.nat(), ([c, flows], extra, pick) => {
        fc.pre(c.policies.length > 0);
        const i = pick % c.policies.length;
        const p = c.policies[i]!;
        // Spell out policyTypes so that adding an egress rule cannot change the defaulting.
        const types = p.spec?.policyTypes?.length ? p.spec.policyTypes : (p.spec?.egress?.length ? ["Ingress", "Egress"] : ["Ingress"]);
        const before = { ...p, spec: { ...p.spec, policyTypes: types } };
        const after = { ...before, spec: { ...before.spec, ingress: [...(p.spec?.ingress ?? []), extra], egress: [...(p.spec?.egress ?? []), { to: extra.from, ports: extra.ports }] } };
        const a = evaluator({ ...c, policies: c.policies.map((q, j) => (j === i ? before : q)) });
        const b = evaluator({ ...c, policies: c.policies.map((q, j) => (j === i ? after : q)) });
        for (const f of flows) {
          if (a.decide(f.src, f.dst, f.protocol, f.port) === "allow") expect(b.decide(f.src, f.dst, f.protocol, f.port)).toBe("allow");
        }
      }),
      RUNS,
    );
  });

  it("a pod talking to its own address is always allowed", () => {
    fc.assert(
      fc.property(clusterObjects(), fc.nat(), fc.integer({ min: 1, max: 65535 }), (c, pick, port) => {
        const addressed = c.pods.filter((p) => !p.spec?.hostNetwork && p.status?.podIP);
        fc.pre(addressed.length > 0);
        const ip = addressed[pick % addressed.length]!.status!.podIP!;
        expect(evaluator(c).decide(ip, ip, "TCP", port)).toBe("allow");
      }),
      RUNS,
    );
  });

  it("flows between two addresses outside the cluster are always allowed", () => {
    fc.assert(
      fc.property(clusterObjects(), (c) => {
        const ref = evaluator(c);
        expect(ref.decide("192.0.2.1", "198.51.100.7", "TCP", 80)).toBe("allow");
        expect(ref.decide("2001:db8::1", "2001:db8:ffff::1", "UDP", 53)).toBe("allow");
      }),
      RUNS,
    );
  });

  it("the same objects as YAML text give the same verdicts", () => {
    fc.assert(
      fc.property(scenario, ([c, flows]) => {
        // Written as YAML 1.1, as kubectl reads it: a namespace named `y` must be quoted there.
        const text = all(c).map((o) => stringify(o, { version: "1.1" })).join("---\n");
        const fromText = new ReferenceEvaluator(loadCluster([{ file: "gen.yaml", text }]).cluster);
        const direct = evaluator(c);
        for (const f of flows) expect(fromText.decide(f.src, f.dst, f.protocol, f.port)).toBe(direct.decide(f.src, f.dst, f.protocol, f.port));
      }),
      { numRuns: 100 },
    );
  });
});
