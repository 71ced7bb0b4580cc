// Properties of the admin tiers in the reference evaluator (ANP.md §2–§3), on random clusters
// and random admin policies: what Pass, Allow-all, Deny-all, a permissive baseline and policy
// order must and must not change.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clusterObjects, type ClusterObjects, flowFor, type FlowText, vocabulary } from "../../src/fuzz/index.js";
import { clusterFromObjects } from "../../src/model/load.js";
import type { AdminPeer, AdminPolicy, AdminPort, AdminRule, AdminSubject, Cluster, Selector } from "../../src/model/types.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { toCIDR, toIPAddress } from "../../src/validate/ip.js";

const RUNS = { numRuns: 150 };
const EVERY: Selector = { matchLabels: {}, matchExpressions: [] };

const selector: fc.Arbitrary<Selector> = fc.oneof(
  fc.constant(EVERY),
  fc.record({ matchLabels: fc.dictionary(fc.constantFrom(...vocabulary.LABEL_KEYS), fc.constantFrom("a", "b", "c"), { maxKeys: 1 }), matchExpressions: fc.constant([]) }),
  fc.constantFrom(...vocabulary.NAMESPACE_NAMES).map((n): Selector => ({ matchLabels: { "kubernetes.io/metadata.name": n }, matchExpressions: [] })),
);
const peer = (egress: boolean): fc.Arbitrary<AdminPeer> =>
  fc.oneof(
    selector.map((s): AdminPeer => ({ kind: "namespaces", namespaceSelector: s })),
    fc.tuple(selector, selector).map(([n, p]): AdminPeer => ({ kind: "pods", namespaceSelector: n, podSelector: p })),
    ...(egress ? [fc.constantFrom("10.0.0.0/8", "10.0.1.0/24", "0.0.0.0/0", "::/0", "192.0.2.0/24").map((c): AdminPeer => ({ kind: "networks", cidrs: [toCIDR(c)] }))] : []),
  );
const port: fc.Arbitrary<AdminPort> = fc.oneof(
  fc.record({ kind: fc.constant("number" as const), protocol: fc.constantFrom(...vocabulary.PROTOCOLS), port: fc.constantFrom(...vocabulary.PORT_NUMBERS) }),
  fc.record({ kind: fc.constant("range" as const), protocol: fc.constantFrom(...vocabulary.PROTOCOLS), start: fc.constant(50), end: fc.constantFrom(81, 500) }),
  fc.constantFrom(...vocabulary.PORT_NAMES).map((name): AdminPort => ({ kind: "named", name })),
);
const rule = (egress: boolean, actions: readonly AdminRule["action"][]): fc.Arbitrary<AdminRule> =>
  fc.record({ action: fc.constantFrom(...actions), peers: fc.array(peer(egress), { minLength: 1, maxLength: 2 }), ports: fc.option(fc.array(port, { minLength: 1, maxLength: 2 }), { nil: undefined }) });
const admin = (actions: readonly AdminRule["action"][] = ["Allow", "Deny", "Pass"]): fc.Arbitrary<AdminPolicy> =>
  fc.record({
    tier: fc.constant("admin" as const),
    name: fc.constantFrom("p1", "p2", "p3", "p4"),
    priority: fc.integer({ min: 0, max: 3 }),
    subject: fc.oneof(
      selector.map((s): AdminSubject => ({ namespaces: s })),
      fc.tuple(selector, selector).map(([n, p]): AdminSubject => ({ pods: { namespaceSelector: n, podSelector: p } })),
    ),
    ingress: fc.array(rule(false, actions), { maxLength: 3 }),
    egress: fc.array(rule(true, actions), { maxLength: 3 }),
  });
const scenario = clusterObjects().chain((c) => fc.tuple(fc.constant(c), fc.array(flowFor(c), { minLength: 1, maxLength: 25 }), fc.uniqueArray(admin(), { maxLength: 4, selector: (p) => p.name })));

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
  tier: "admin", name: `all-${action}`, priority: 0, subject: { namespaces: EVERY },
  ingress: [{ action, peers: [{ kind: "namespaces", namespaceSelector: EVERY }] }],
  egress: [{ action, peers: [{ kind: "namespaces", namespaceSelector: EVERY }] }],
});

describe("admin tiers (reference properties)", () => {
  it("admin policies whose rules all Pass change nothing when there is no baseline", () => {
    fc.assert(
      fc.property(
        clusterObjects().chain((c) => fc.tuple(fc.constant(c), fc.array(flowFor(c), { minLength: 1, maxLength: 25 }), fc.uniqueArray(admin(["Pass"]), { maxLength: 4, selector: (p) => p.name }))),
        ([c, flows, tiers]) => {
        expect(verdicts({ ...cluster(c), adminPolicies: tiers }, flows)).toEqual(verdicts(cluster(c), flows));
        },
      ),
      RUNS,
    );
  });

  it("an Allow-everything ANP at the top priority allows every pod-to-pod flow; a Deny-everything one denies it", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const cl = cluster(c);
        const pairs = podToPod(cl, flows);
        expect(verdicts({ ...cl, adminPolicies: [everything("Allow"), ...tiers] }, pairs).every((v) => v === "allow")).toBe(true);
        expect(verdicts({ ...cl, adminPolicies: [everything("Deny"), ...tiers] }, pairs).every((v) => v === "deny")).toBe(true);
      }),
      RUNS,
    );
  });

  it("a baseline that only allows never changes a verdict (allow is the default below it)", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const permissive: AdminPolicy = { tier: "baseline", name: "default", priority: 0, subject: { namespaces: EVERY }, ingress: [{ action: "Allow", peers: [{ kind: "namespaces", namespaceSelector: EVERY }] }], egress: [] };
        const cl = { ...cluster(c), adminPolicies: tiers };
        expect(verdicts({ ...cl, adminPolicies: [...tiers, permissive] }, flows)).toEqual(verdicts(cl, flows));
      }),
      RUNS,
    );
  });

  it("the order admin policies are given in never matters (priority, then name)", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const cl = cluster(c);
        expect(verdicts({ ...cl, adminPolicies: [...tiers].reverse() }, flows)).toEqual(verdicts({ ...cl, adminPolicies: tiers }, flows));
      }),
      RUNS,
    );
  });

  it("explainFlow's verdict is decideFlow's, with admin tiers", () => {
    fc.assert(
      fc.property(scenario, ([c, flows, tiers]) => {
        const ref = new ReferenceEvaluator({ ...cluster(c), adminPolicies: tiers });
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
