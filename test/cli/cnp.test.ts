/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2): both tiers in one kind, Accept for
 * Allow, `protocols` for ports, decided by the reference evaluator like the v1alpha1 kinds.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCluster } from "../../src/model/load.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { APP_WEB, documents, namespace, pod } from "../fixtures/manifests.js";
import { SHOP, netpol } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "netpol-cnp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cnp = (name: string, tier: string, priority: number, body: string) =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n${body}`;

const CLUSTER = documents(namespace("app"), namespace("other"), APP_WEB, pod("other", "client", {}, "10.0.1.1"));

function decide(policies: string[], src: string, dst: string, protocol: "TCP" | "UDP", port: number) {
  const { cluster } = loadCluster([{ file: "c.yaml", text: [CLUSTER, ...policies].join("\n---\n") }]);
  return new ReferenceEvaluator(cluster).decide(src, dst, protocol, port);
}

describe("ClusterNetworkPolicy", () => {
  const denyOther = cnp("deny-other", "Admin", 10, "  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}\n  ingress: [{action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]\n");
  const acceptWeb = cnp("accept-web", "Admin", 5, "  subject: {namespaces: {}}\n  ingress:\n  - action: Accept\n    from: [{namespaces: {}}]\n    protocols: [{destinationNamedPort: http}, {tcp: {destinationPort: {range: {start: 9000, end: 9100}}}}]\n");
  const baselineDeny = cnp("baseline-deny", "Baseline", 1, "  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n");
  const baselinePass = cnp("baseline-pass", "Baseline", 0, "  subject: {namespaces: {}}\n  ingress: [{action: Pass, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]\n");

  it("the Admin tier decides first, Accept by priority before Deny, protocols by named port and range", () => {
    expect(decide([denyOther], "10.0.1.1", "10.0.0.1", "TCP", 8080)).toBe("deny");
    expect(decide([denyOther, acceptWeb], "10.0.1.1", "10.0.0.1", "TCP", 8080)).toBe("allow"); // http = 8080
    expect(decide([denyOther, acceptWeb], "10.0.1.1", "10.0.0.1", "TCP", 9050)).toBe("allow");
    expect(decide([denyOther, acceptWeb], "10.0.1.1", "10.0.0.1", "TCP", 9200)).toBe("deny");
    expect(decide([denyOther, acceptWeb], "10.0.1.1", "10.0.0.1", "UDP", 8080)).toBe("deny");
  });

  it("the Baseline tier applies below NetworkPolicy, by priority, and its Pass goes on to the default (allow)", () => {
    expect(decide([baselineDeny], "10.0.1.1", "10.0.0.1", "TCP", 80)).toBe("deny");
    expect(decide([baselineDeny, baselinePass], "10.0.1.1", "10.0.0.1", "TCP", 80)).toBe("allow");
    const np = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: app}\nspec: {podSelector: {}, ingress: [{}]}\n";
    expect(decide([baselineDeny, np], "10.0.0.1", "10.0.0.1", "TCP", 80)).toBe("allow");
    expect(decide([baselineDeny, np], "10.0.1.1", "10.0.0.1", "TCP", 80)).toBe("allow");
  });

  it("domainNames peers cannot be evaluated from manifests: they fail closed (an Accept matches nothing, a Deny denies all)", () => {
    const dn = (action: string) => cnp("dns-names", "Admin", 1, `  subject: {namespaces: {}}\n  egress: [{action: ${action}, to: [{domainNames: [www.example.com]}]}]\n`);
    expect(decide([dn("Accept"), baselineDeny.replace("ingress", "egress").replace("from:", "to:")], "10.0.0.1", "10.0.1.1", "TCP", 443)).toBe("deny");
    expect(decide([dn("Deny")], "10.0.0.1", "10.0.1.1", "TCP", 443)).toBe("deny");
  });

  it("validates as its CRD does, at field paths", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      cnp("bad", "Middle", 2000, [
        "  subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}",
        "  ingress: [{action: Allow, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 90, end: 80}}}}, {}]}]",
        "  egress: [{action: Deny, to: [{networks: [10.0.0.0/8]}], protocols: [{destinationNamedPort: http}]}]",
        "",
      ].join("\n")),
    );
    const r = netpol(["eval", "-f", SHOP, "-f", bad, "--flows", join(SHOP, "flows.csv"), "--engine", "reference"]);
    expect(r.status).toBe(1);
    for (const expected of [
      /spec\.tier: Unsupported value: "Middle": supported values: "Admin", "Baseline"/,
      /spec\.priority: Invalid value: 2000/,
      /spec\.subject: Too many: 2: must have at most 1 item/,
      /spec\.ingress\[0\]\.action: Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"/,
      /spec\.ingress\[0\]\.protocols\[0\]\.tcp\.destinationPort\.range: Invalid value: "object": Start port must be less than End port/,
      /spec\.ingress\[0\]\.protocols\[1\]: Invalid value: 0: spec\.ingress\[0\]\.protocols\[1\] in body should have at least 1 properties/,
      /spec\.egress\[0\]: Invalid value: "object": networks\/nodes\/domainNames peer cannot be set with namedPorts/,
    ]) expect(r.stderr).toMatch(expected);
  });
});
