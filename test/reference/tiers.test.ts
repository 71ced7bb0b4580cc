// Properties of the admin tiers in the reference evaluator (ANP.md §2–§3), on random clusters
// and random admin policies: what Pass, Allow-all, Deny-all, a permissive baseline and policy
// order must and must not change.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adminTiers, clusterObjects, type ClusterObjects, flowFor, type FlowText } from "../../src/fuzz/index.js";
import type * as api from "../../src/load/api.js";
import { clusterFromObjects } from "../../src/model/load.js";
import type { AdminPolicy, Cluster, Selector } from "../../src/model/types.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { toIPAddress } from "../../src/validate/ip.js";

const RUNS = { numRuns: 150 };
const EVERY: Selector = { matchLabels: {}, matchExpressions: [] };

type AdminObject = api.AdminNetworkPolicy | api.BaselineAdminNetworkPolicy;
const scenario = clusterObjects().chain((c) => fc.tuple(fc.constant(c), fc.array(flowFor(c), { minLength: 1, maxLength: 25 }), adminTiers(4)));
/** The same admin policies with every rule's action turned into Pass (baselines dropped). */
const passOnly = (tiers: readonly AdminObject[]): AdminObject[] =>
  tiers.filter((t) => t.kind === "AdminNetworkPolicy").map((t) => ({
    ...t,
    spec: { ...t.spec, ingress: t.spec?.ingress?.map((r) => ({ ...r, action: "Pass" })), egress: t.spec?.egress?.map((r) => ({ ...r, action: "Pass" })) },
  }));
const withTiers = (c: ClusterObjects, tiers: readonly AdminObject[]): Cluster => clusterFromObjects([...c.namespaces, ...c.pods, ...c.policies, ...tiers]).cluster;
const tiersOf = (c: ClusterObjects, tiers: readonly AdminObject[]) => withTiers(c, tiers).adminPolicies ?? [];

const cluster = (c: ClusterObjects): Cluster => clusterFromObjects([...c.namespaces, ...c.pods, ...c.policies]).cluster;
const verdicts = (cl: Cluster, flows: readonly FlowText[]) => {
  const ref = new ReferenceEvaluator(cl);
  return flows.map((f) => ref.decide(f.src, f.dst, f.protocol, f.port));
};
const podToPod = (cl: Cluster, flows: readonly FlowText[]) => {
  const owners = new Map(cl.pods.flatMap((p) => p.ips.map((ip) => [ip.text, p] as const)));
  return flows.filter((f) => owners.has(toIPAddress(f.src).text) && owners.has(toIPAddress(f.dst).text) && owners.get(toIPAddress(f.src).text) !== owners.get(toIPAddress(f.dst).text));
};
const everything = (action: "Allow" | "Deny"): AdminPolicy => ({
  tier: "admin", name: `0-${action.toLowerCase()}-everything`, priority: 0, subject: { namespaces: EVERY }, // sorts before a0, a1, … of equal priority
  ingress: [{ action, peers: [{ kind: "namespaces", namespaceSelector: EVERY }] }],
  egress: [{ action, peers: [{ kind: "namespaces", namespaceSelector: EVERY }] }],
});

describe("admin tiers (reference properties)", () => {
  it("every generated admin policy loads and validates", () => {
    fc.assert(fc.property(clusterObjects(), adminTiers(4), (c, tiers) => void expect(tiersOf(c, tiers).length).toBe(tiers.length)), RUNS);
  });

  it("admin policies whose rules all Pass change nothing when there is no baseline", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        expect(verdicts(withTiers(c, passOnly(tiers)), flows)).toEqual(verdicts(cluster(c), flows));
      }),
      RUNS,
    );
  });

  it("an Allow-everything ANP at the top priority allows every pod-to-pod flow; a Deny-everything one denies it", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const cl = cluster(c);
        const pairs = podToPod(cl, flows);
        const loaded = tiersOf(c, tiers);
        expect(verdicts({ ...cl, adminPolicies: [everything("Allow"), ...loaded] }, pairs).every((v) => v === "allow")).toBe(true);
        expect(verdicts({ ...cl, adminPolicies: [everything("Deny"), ...loaded] }, pairs).every((v) => v === "deny")).toBe(true);
      }),
      RUNS,
    );
  });

  it("a baseline that only allows never changes a verdict (allow is the default below it)", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const permissive: AdminPolicy = { tier: "baseline", name: "default", priority: 0, subject: { namespaces: EVERY }, ingress: [{ action: "Allow", peers: [{ kind: "namespaces", namespaceSelector: EVERY }] }], egress: [] };
        const admins = tiersOf(c, tiers).filter((t) => t.tier === "admin");
        const cl = { ...cluster(c), adminPolicies: admins };
        expect(verdicts({ ...cl, adminPolicies: [...admins, permissive] }, flows)).toEqual(verdicts(cl, flows));
      }),
      RUNS,
    );
  });

  it("the order admin policies are given in never matters (priority, then name)", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const cl = cluster(c);
        const loaded = tiersOf(c, tiers);
        expect(verdicts({ ...cl, adminPolicies: [...loaded].reverse() }, flows)).toEqual(verdicts({ ...cl, adminPolicies: loaded }, flows));
      }),
      RUNS,
    );
  });

  it("explainFlow's verdict is decideFlow's, with admin tiers", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const ref = new ReferenceEvaluator(withTiers(c, tiers));
        for (const f of flows) {
          const flow = { src: toIPAddress(f.src), dst: toIPAddress(f.dst), protocol: f.protocol, port: f.port };
          if (flow.src.family !== flow.dst.family) continue;
          expect(ref.explainFlow(flow).verdict).toBe(ref.decideFlow(flow));
        }
      }),
      RUNS,
    );
  });
});
