// Admin tiers (ANP.md §2–§6, SEMANTICS.md "Tiers"), on the x/y/z world. Each scenario's truth
// table is written as the sentence the spec states; both engines must meet every table.
import { describe, expect, it } from "vitest";
import type { AdminPeer, AdminPolicy, AdminPort, AdminRule, Selector } from "../../src/model/types.js";
import { toCIDR, toIPAddress } from "../../src/validate/ip.js";
import { ALL_PODS, policy, table, tiered } from "./model.js";

const sel = (matchLabels: Record<string, string> = {}): Selector => ({ matchLabels, matchExpressions: [] });
const namespaces = (labels: Record<string, string> = {}): AdminPeer => ({ kind: "namespaces", namespaceSelector: sel(labels) });
const pods = (ns: Record<string, string>, pod: Record<string, string>): AdminPeer => ({ kind: "pods", namespaceSelector: sel(ns), podSelector: sel(pod) });
const networks = (...cidrs: string[]): AdminPeer => ({ kind: "networks", cidrs: cidrs.map(toCIDR) });
const rule = (action: AdminRule["action"], peers: AdminPeer[], ports?: AdminPort[]): AdminRule => ({ action, peers, ports });
function anp(name: string, priority: number, ns: Record<string, string>, rules: { ingress?: AdminRule[]; egress?: AdminRule[] }): AdminPolicy {
  return { tier: "admin", name, priority, subject: { namespaces: sel(ns) }, ingress: rules.ingress ?? [], egress: rules.egress ?? [] };
}
function banp(ns: Record<string, string>, rules: { ingress?: AdminRule[]; egress?: AdminRule[] }): AdminPolicy {
  return { tier: "baseline", name: "default", priority: 0, subject: { namespaces: sel(ns) }, ingress: rules.ingress ?? [], egress: rules.egress ?? [] };
}
const ns = (label: string) => label.split("/")[0]!;
const pod = (label: string) => label.split("/")[1]!;
const grid = (cell: (src: string, dst: string) => boolean, extra: { rows?: string[]; cols?: string[] } = {}) =>
  table([...ALL_PODS, ...(extra.rows ?? [])], [...ALL_PODS, ...(extra.cols ?? [])], (s, d) => (s === d || cell(s, d) ? "." : "X"));

describe("conformance: admin tiers (both engines)", () => {
  it("an ANP Deny blocks what no NetworkPolicy would: ingress to x from y", () => {
    tiered([], { adminPolicies: [anp("deny-y-to-x", 10, { ns: "x" }, { ingress: [rule("Deny", [namespaces({ ns: "y" })])] })] }).check(
      "TCP/80, UDP/81, SCTP/80",
      grid((s, d) => !(ns(s) === "y" && ns(d) === "x")),
    );
  });

  it("an ANP Allow wins over NetworkPolicy isolation, and NetworkPolicy still decides the rest", () => {
    const deny = policy("x", "deny-all-ingress", `
      podSelector: {}
      policyTypes: [Ingress]
    `);
    tiered([deny], { adminPolicies: [anp("allow-y-a", 5, { ns: "x" }, { ingress: [rule("Allow", [pods({ ns: "y" }, { pod: "a" })])] })] }).check(
      "TCP/80",
      grid((s, d) => ns(d) !== "x" || s === "y/a"),
    );
  });

  it("lower priority numbers decide first; an ANP Deny beats a NetworkPolicy that allows", () => {
    const allowAll = policy("y", "allow-all", `
      podSelector: {}
      ingress: [{}]
    `);
    const tiers = [
      anp("deny-z", 20, { ns: "y" }, { ingress: [rule("Deny", [namespaces({ ns: "z" })])] }),
      anp("allow-z-a", 10, { ns: "y" }, { ingress: [rule("Allow", [pods({ ns: "z" }, { pod: "a" })])] }),
    ];
    tiered([allowAll], { adminPolicies: tiers }).check("TCP/80", grid((s, d) => ns(d) !== "y" || ns(s) !== "z" || s === "z/a"));
    // The same two with priorities swapped: the Deny comes first and z/a is denied too.
    const swapped = [{ ...tiers[0]!, priority: 5 }, tiers[1]!];
    tiered([allowAll], { adminPolicies: swapped }).check("TCP/80", grid((s, d) => ns(d) !== "y" || ns(s) !== "z"));
  });

  it("within one ANP the first matching rule decides, in written order", () => {
    const rules = [rule("Allow", [pods({ ns: "x" }, { pod: "b" })]), rule("Deny", [namespaces({ ns: "x" })])];
    tiered([], { adminPolicies: [anp("order", 10, { ns: "z" }, { ingress: rules })] }).check("TCP/80", grid((s, d) => ns(d) !== "z" || ns(s) !== "x" || s === "x/b"));
    tiered([], { adminPolicies: [anp("order", 10, { ns: "z" }, { ingress: [...rules].reverse() })] }).check("TCP/80", grid((s, d) => ns(d) !== "z" || ns(s) !== "x"));
  });

  it("Pass skips every later ANP rule: NetworkPolicy decides where it isolates, else the baseline", () => {
    const zFromX = policy("z", "from-x", `
      podSelector: {}
      ingress:
      - from: [{namespaceSelector: {matchLabels: {ns: "x"}}}]
    `);
    const tiers = [
      anp("pass-x", 10, {}, { ingress: [rule("Pass", [namespaces({ ns: "x" })])] }),
      anp("allow-x", 20, {}, { ingress: [rule("Allow", [namespaces({ ns: "x" })])] }), // never reached for x sources
      banp({}, { ingress: [rule("Deny", [namespaces({ ns: "x" })])] }),
    ];
    tiered([zFromX], { adminPolicies: tiers }).check(
      "TCP/80",
      grid((s, d) => {
        if (ns(d) === "z") return ns(s) === "x"; // z is isolated by NetworkPolicy: only x gets in
        return ns(s) !== "x"; // elsewhere x is passed down to the baseline, which denies it
      }),
    );
  });

  it("the baseline applies only where no NetworkPolicy selects the pod, even one that allows nothing", () => {
    const isolateYa = policy("y", "isolate-a", `
      podSelector: {matchLabels: {pod: "a"}}
      policyTypes: [Ingress]
    `);
    const allowYbFromX = policy("y", "b-from-x", `
      podSelector: {matchLabels: {pod: "b"}}
      ingress:
      - from: [{namespaceSelector: {matchLabels: {ns: "x"}}}]
    `);
    const baseline = banp({ ns: "y" }, { ingress: [rule("Deny", [namespaces({})])] });
    tiered([isolateYa, allowYbFromX], { adminPolicies: [baseline] }).check(
      "TCP/80",
      grid((s, d) => (ns(d) !== "y" ? true : d === "y/b" ? ns(s) === "x" : false)),
    );
  });

  it("selecting a pod isolates nothing: an ANP or baseline with only ingress rules leaves egress alone, no match means allow", () => {
    const tiers = [anp("ingress-only", 10, { ns: "x" }, { ingress: [rule("Deny", [pods({ ns: "z" }, { pod: "c" })])] }), banp({ ns: "x" }, { ingress: [rule("Allow", [namespaces({})])] })];
    tiered([], { adminPolicies: tiers }).check("TCP/80", grid((s, d) => !(ns(d) === "x" && s === "z/c")));
  });

  it("networks peers match pod addresses too: an egress Deny 0.0.0.0/0 cuts pod to pod, a /32 Allow before it lets one through", () => {
    const tiers = [
      { tier: "admin", name: "lockdown", priority: 10, subject: { pods: { namespaceSelector: sel({ ns: "x" }), podSelector: sel({ pod: "a" }) } }, ingress: [], egress: [rule("Allow", [networks("10.0.2.2/32")]), rule("Deny", [networks("0.0.0.0/0", "::/0")])] },
    ] satisfies AdminPolicy[];
    tiered([], { adminPolicies: tiers }).check("TCP/80", grid((s, d) => s !== "x/a" || d === "y/b", { cols: ["192.0.2.10"] }));
  });

  it("ports: numbers, inclusive ranges by protocol, and named ports resolved on the destination pod", () => {
    const tiers = [
      anp("web-only", 10, { ns: "y" }, {
        ingress: [rule("Allow", [namespaces({})], [{ kind: "named", name: "web" }, { kind: "range", protocol: "SCTP", start: 81, end: 90 }]), rule("Deny", [namespaces({})])],
      }),
    ];
    const w = tiered([], { adminPolicies: tiers });
    // web: a 80/TCP, b 81/TCP, c 80/UDP
    w.check("TCP/80", grid((s, d) => ns(d) !== "y" || pod(d) === "a"));
    w.check("TCP/81", grid((s, d) => ns(d) !== "y" || pod(d) === "b"));
    w.check("UDP/80", grid((s, d) => ns(d) !== "y" || pod(d) === "c"));
    w.check("SCTP/81", grid(() => true));
    w.check("SCTP/80", grid((s, d) => ns(d) !== "y"));
  });

  it("nodes peers match the addresses of the selected nodes (egress)", () => {
    const nodes = [{ name: "n1", labels: { role: "infra" }, addresses: [toIPAddress("192.0.2.50")] }, { name: "n2", labels: { role: "worker" }, addresses: [toIPAddress("192.0.2.60")] }];
    const tiers = [anp("no-infra", 10, { ns: "x" }, { egress: [rule("Deny", [{ kind: "nodes", nodeSelector: sel({ role: "infra" }) }])] })];
    tiered([], { adminPolicies: tiers, nodes }).check("TCP/80", grid((s, d) => !(ns(s) === "x" && d === "192.0.2.50"), { cols: ["192.0.2.50", "192.0.2.60"] }));
  });

  it("fails closed on a peer it does not know: an Allow matches nothing through it, a Deny or Pass denies everything", () => {
    const unknown: AdminPeer = { kind: "unknown" };
    tiered([], { adminPolicies: [anp("new-peer-allow", 10, { ns: "z" }, { ingress: [rule("Allow", [unknown]), rule("Deny", [namespaces({ ns: "x" })])] })] }).check(
      "TCP/80",
      grid((s, d) => !(ns(d) === "z" && ns(s) === "x")),
    );
    for (const action of ["Deny", "Pass"] as const) {
      tiered([], { adminPolicies: [anp("new-peer", 10, { ns: "z" }, { ingress: [rule(action, [unknown])] })] }).check("TCP/80", grid((s, d) => ns(d) !== "z"));
    }
  });

  it("equal priorities are decided by name, deterministically", () => {
    const tiers = [
      anp("b-deny", 10, { ns: "y" }, { ingress: [rule("Deny", [namespaces({ ns: "x" })])] }),
      anp("a-allow", 10, { ns: "y" }, { ingress: [rule("Allow", [namespaces({ ns: "x" })])] }),
      banp({ ns: "y" }, { ingress: [rule("Deny", [namespaces({ ns: "x" })])] }),
    ];
    tiered([], { adminPolicies: tiers }).check("TCP/80", grid(() => true));
  });

  it("outside addresses have no policies, and ANP namespace peers never match them", () => {
    const tiers = [anp("deny-all-pods", 10, {}, { ingress: [rule("Deny", [namespaces({})])] })];
    tiered([], { adminPolicies: tiers }).check("TCP/80", grid((s) => s === "192.0.2.10", { rows: ["192.0.2.10"] }));
  });

  it("explains which tier decided, and a Pass on the way down", () => {
    const w = tiered([policy("z", "from-x", `
      podSelector: {}
      ingress:
      - from: [{namespaceSelector: {matchLabels: {ns: "x"}}}]
    `)], { adminPolicies: [anp("pass-x", 10, {}, { ingress: [rule("Pass", [namespaces({ ns: "x" })]), rule("Deny", [namespaces({ ns: "y" })])] })] });
    const ref = w.reference();
    const flow = (s: string, d: string) => ({ src: toIPAddress(w.address(s, 4)), dst: toIPAddress(w.address(d, 4)), protocol: "TCP" as const, port: 80 });
    const expected = [
      ["y/a", "x/a", { kind: "tier", tier: "admin", policy: "pass-x", rule: 1, action: "Deny" }],
      ["x/a", "z/a", { kind: "allowed", policy: 0, rule: 0, passed: { policy: "pass-x", rule: 0 } }],
      ["x/a", "y/a", { kind: "none", passed: { policy: "pass-x", rule: 0 } }],
    ] as const;
    for (const [s, d, why] of expected) {
      expect(ref.explainFlow(flow(s, d)).ingress).toEqual(why);
      // The compiled core says the same, the Pass on the way included.
      const { ingress } = w.engine().explain(w.address(s, 4), w.address(d, 4), "TCP", 80);
      expect(ingress).toMatchObject(why);
    }
  });
});
