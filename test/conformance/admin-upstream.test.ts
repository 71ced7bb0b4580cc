// Admin tiers on the upstream conformance world (houses.ts: four houses, two pods each, TCP
// 80/8080, UDP 53/5353, SCTP 9003/9005), scenarios written from the API's documented semantics
// (ANP.md): every action, priorities, Pass into NetworkPolicy and into the baseline, networks
// and named ports, SCTP and UDP, ingress and egress, the v1alpha2 kind. Each expectation is the
// sentence the spec states; both engines must meet it on every flow of both families, with
// equal reasons.
import { describe, it } from "vitest";
import { type End, type House, check, houseOf, ns } from "./houses.js";

const anp = (name: string, priority: number, subject: string, body: string) =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  priority: ${priority}\n  subject: ${subject}\n${body}`;
const banp = (subject: string, body: string) =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: ${subject}\n${body}`;
const np = (house: House, name: string, body: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns(house)}}\nspec:\n${body}`;
const house = (h: House) => `{namespaces: {matchLabels: {conformance-house: ${h}}}}`;
const subjectOf = (h: House) => `{namespaces: {matchLabels: {conformance-house: ${h}}}}`;
const is = (e: End, h: House) => houseOf(e) === h;
const web = (e: End) => (is(e, "gryffindor") || is(e, "ravenclaw") ? 80 : 8080);

describe("conformance: admin tiers on the upstream houses (both engines)", () => {
  it("ingress rules of one ANP, first match: Allow ravenclaw, Deny slytherin on some ports, Pass hufflepuff, Deny its own house", () => {
    const p = anp("gress-rules", 15, subjectOf("gryffindor"), [
      "  ingress:",
      `  - {name: allow-from-ravenclaw, action: Allow, from: [${house("ravenclaw")}]}`,
      `  - {name: deny-ravenclaw-never-reached, action: Deny, from: [${house("ravenclaw")}]}`,
      `  - name: deny-slytherin-some-ports`,
      `    action: Deny`,
      `    from: [${house("slytherin")}]`,
      `    ports: [{portNumber: {protocol: TCP, port: 80}}, {portNumber: {protocol: UDP, port: 53}}, {portNumber: {protocol: SCTP, port: 9003}}]`,
      `  - {name: pass-hufflepuff, action: Pass, from: [${house("hufflepuff")}]}`,
      `  - {name: deny-own-house, action: Deny, from: [${house("gryffindor")}]}`,
    ].join("\n"));
    check([p], (s, d, protocol, port) => {
      if (!is(d, "gryffindor") || houseOf(s) === undefined) return true; // outside sources match no namespaces peer
      if (is(s, "ravenclaw") || is(s, "hufflepuff")) return true;
      if (is(s, "slytherin")) return !((protocol === "TCP" && port === 80) || (protocol === "UDP" && port === 53) || (protocol === "SCTP" && port === 9003));
      return false; // gryffindor to gryffindor: the last rule (a pod reaching itself is still allowed)
    });
  });

  it("egress rules: Deny to slytherin, Allow to ravenclaw pods, Pass to hufflepuff which a NetworkPolicy then restricts", () => {
    const p = anp("egress-rules", 20, subjectOf("gryffindor"), [
      "  egress:",
      `  - {name: deny-slytherin, action: Deny, to: [${house("slytherin")}]}`,
      `  - {name: allow-ravenclaw-pods, action: Allow, to: [{pods: {namespaceSelector: {matchLabels: {conformance-house: ravenclaw}}, podSelector: {}}}]}`,
      `  - {name: pass-hufflepuff, action: Pass, to: [${house("hufflepuff")}]}`,
    ].join("\n"));
    // NetworkPolicy in gryffindor: egress only to hufflepuff on TCP 8080 (and ravenclaw, which the ANP allows anyway, is not listed).
    const restrict = np("gryffindor", "egress-8080", [
      "  podSelector: {}",
      "  policyTypes: [Egress]",
      `  egress: [{to: [{namespaceSelector: {matchLabels: {conformance-house: hufflepuff}}}], ports: [{protocol: TCP, port: 8080}]}]`,
    ].join("\n"));
    check([p, restrict], (s, d, protocol, port) => {
      if (!is(s, "gryffindor")) return true;
      if (is(d, "slytherin")) return false;
      if (is(d, "ravenclaw")) return true;
      // Passed or unmatched: the NetworkPolicy isolates gryffindor's egress.
      return is(d, "hufflepuff") && protocol === "TCP" && port === 8080;
    });
  });

  it("lower priority numbers decide first; swapping the priorities swaps the outcome", () => {
    const deny = (priority: number) => anp("deny-slytherin", priority, subjectOf("gryffindor"), `  ingress: [{action: Deny, from: [${house("slytherin")}]}]`);
    const allow = (priority: number) => anp("allow-slytherin", priority, subjectOf("gryffindor"), `  ingress: [{action: Allow, from: [${house("slytherin")}]}]`);
    const isolate = np("gryffindor", "deny-all", "  podSelector: {}\n  policyTypes: [Ingress]");
    check([deny(10), allow(20), isolate], (s, d) => !is(d, "gryffindor"));
    check([deny(20), allow(10), isolate], (s, d) => !is(d, "gryffindor") || is(s, "slytherin"));
  });

  it("Pass hands over to NetworkPolicy where it isolates, and to the baseline where it does not", () => {
    const pass = anp("pass-slytherin", 5, `{namespaces: {matchExpressions: [{key: conformance-house, operator: In, values: [gryffindor, hufflepuff]}]}}`,
      `  ingress: [{action: Pass, from: [${house("slytherin")}]}]`);
    // gryffindor is isolated by a NetworkPolicy allowing slytherin on UDP only; hufflepuff is not isolated.
    const udpOnly = np("gryffindor", "slytherin-udp", [
      "  podSelector: {}",
      `  ingress: [{from: [{namespaceSelector: {matchLabels: {conformance-house: slytherin}}}], ports: [{protocol: UDP}]}]`,
    ].join("\n"));
    // The baseline denies slytherin into both; only hufflepuff, where no NetworkPolicy isolates, sees it.
    const baseline = banp(`{namespaces: {matchExpressions: [{key: conformance-house, operator: In, values: [gryffindor, hufflepuff]}]}}`, `  ingress: [{action: Deny, from: [${house("slytherin")}]}]`);
    check([pass, udpOnly, baseline], (s, d, protocol) => {
      if (houseOf(d) === undefined) return true;
      if (is(d, "gryffindor")) return is(s, "slytherin") ? protocol === "UDP" : false;
      if (is(d, "slytherin") || is(d, "ravenclaw")) return true;
      return !is(s, "slytherin"); // hufflepuff: the baseline's Deny
    });
  });

  it("the baseline decides only where no NetworkPolicy isolates, first match, Allow beating a later Deny", () => {
    const baseline = banp(subjectOf("ravenclaw"), [
      "  ingress:",
      `  - {action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {conformance-house: gryffindor}}, podSelector: {}}}], ports: [{portRange: {protocol: TCP, start: 80, end: 8000}}]}`,
      `  - {action: Deny, from: [${house("gryffindor")}, ${house("slytherin")}]}`,
    ].join("\n"));
    // luna-lovegood-1 is isolated by a NetworkPolicy allowing everything: the baseline does not apply to it.
    const allowAll = np("ravenclaw", "allow-all-to-1", "  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: luna-lovegood-1}}\n  ingress: [{}]");
    check([baseline, allowAll], (s, d, protocol, port) => {
      if (!is(d, "ravenclaw")) return true;
      if ("name" in d && d.name === "luna-lovegood-1") return true;
      if (is(s, "gryffindor")) return protocol === "TCP" && port >= 80 && port <= 8000;
      return !is(s, "slytherin");
    });
  });

  it("networks peers match pod addresses as well as outside ones; UDP and SCTP ports by number and range", () => {
    const p = anp("networks", 30, subjectOf("gryffindor"), [
      "  egress:",
      `  - {action: Deny, to: [{networks: [10.1.2.0/24, "fd00:1:0:2::/64"]}], ports: [{portNumber: {protocol: UDP, port: 5353}}, {portRange: {protocol: SCTP, start: 9000, end: 9004}}]}`,
      `  - {action: Deny, to: [{networks: [192.0.2.0/24, "2001:db8::/32"]}]}`,
      `  - {action: Allow, to: [{networks: [10.1.4.1/32, "fd00:1:0:4::1/128"]}]}`,
    ].join("\n"));
    const isolate = np("gryffindor", "no-egress", "  podSelector: {}\n  policyTypes: [Egress]");
    check([p, isolate], (s, d, protocol, port) => {
      if (!is(s, "gryffindor")) return true;
      if ("outside" in d) return false; // 192.0.2.10 and 2001:db8::10 denied by rule 1; 10.1.2.200 by the NetworkPolicy
      if (is(d, "slytherin") && ((protocol === "UDP" && port === 5353) || (protocol === "SCTP" && port === 9003))) return false;
      return d.name === "luna-lovegood-0"; // the /32 Allow; everyone else falls to the isolating NetworkPolicy
    });
  });

  it("named ports resolve on the destination pod: web is 80 in gryffindor and ravenclaw, 8080 in slytherin and hufflepuff", () => {
    const p = anp("no-web-from-gryffindor", 1, `{namespaces: {}}`, `  ingress: [{action: Deny, from: [${house("gryffindor")}], ports: [{namedPort: web}, {namedPort: dns}]}]`);
    check([p], (s, d, protocol, port) => !(is(s, "gryffindor") && houseOf(d) !== undefined && ((protocol === "TCP" && port === web(d)) || (protocol === "UDP" && port === 53))));
  });

  it("egress named ports resolve on the destination too, and an outside destination has none", () => {
    const p = anp("sctp-only-by-name", 1, subjectOf("hufflepuff"), [
      "  egress:",
      `  - {action: Allow, to: [{namespaces: {}}], ports: [{namedPort: sctp}]}`,
      `  - {action: Deny, to: [{namespaces: {}}]}`,
    ].join("\n"));
    check([p], (s, d, protocol, port) => !is(s, "hufflepuff") || "outside" in d || (protocol === "SCTP" && port === 9003));
  });

  it("an ANP selecting pods (not namespaces) applies to those pods only", () => {
    const p = anp("one-pod", 3, `{pods: {namespaceSelector: {matchLabels: {conformance-house: slytherin}}, podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: draco-malfoy-0}}}}`,
      `  ingress: [{action: Deny, from: [{namespaces: {}}]}]`);
    check([p], (s, d) => !("name" in d && d.name === "draco-malfoy-0") || houseOf(s) === undefined);
    const byHouse = anp("house-pods", 3, `{pods: {namespaceSelector: {}, podSelector: {matchLabels: {conformance-house: slytherin}}}}`,
      `  ingress: [{action: Deny, from: [${house("ravenclaw")}]}]`);
    check([byHouse], (s, d) => !(is(d, "slytherin") && is(s, "ravenclaw")));
  });

  it("v1alpha2 ClusterNetworkPolicy: Admin tier Accept/Deny/Pass and Baseline tier, protocols, the same answers", () => {
    const cnp = (name: string, tier: string, priority: number, subject: string, body: string) =>
      `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n  subject: ${subject}\n${body}`;
    const admin = cnp("admin", "Admin", 10, subjectOf("gryffindor"), [
      "  ingress:",
      `  - {action: Accept, from: [${house("ravenclaw")}], protocols: [{udp: {destinationPort: {number: 53}}}]}`,
      `  - {action: Deny, from: [${house("ravenclaw")}]}`,
      `  - {action: Pass, from: [${house("slytherin")}]}`,
    ].join("\n"));
    const baseline = cnp("baseline", "Baseline", 10, subjectOf("gryffindor"), [
      "  ingress:",
      `  - {action: Pass, from: [${house("slytherin")}], protocols: [{tcp: {destinationPort: {range: {start: 80, end: 100}}}}]}`,
      `  - {action: Deny, from: [${house("slytherin")}, ${house("hufflepuff")}]}`,
    ].join("\n"));
    check([admin, baseline], (s, d, protocol, port) => {
      if (!is(d, "gryffindor")) return true;
      if (is(s, "ravenclaw")) return protocol === "UDP" && port === 53;
      if (is(s, "slytherin")) return protocol === "TCP" && port === 80; // baseline Pass: allowed by default
      return !is(s, "hufflepuff");
    });
  });
});
