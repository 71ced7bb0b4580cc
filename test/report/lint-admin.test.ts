import { describe, expect, it } from "vitest";
import { loadCluster } from "../../src/model/load.js";
import { CODES, lint } from "../../src/report/lint.js";
import { APP_WEB, documents, namespace, pod } from "../fixtures/manifests.js";

const CLUSTER = documents(namespace("app", { team: "a" }), namespace("mon", { team: "ops" }), APP_WEB, pod("mon", "prom", { role: "prom" }, "10.0.1.1"));
const anp = (name: string, priority: number, subject: string, ingress: string) => `
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
  subject: ${subject}
  ingress: ${ingress}
`;
const findings = (policies: string) => lint(loadCluster([{ file: "c.yaml", text: CLUSTER + policies }]).cluster);
const at = (fs: ReturnType<typeof lint>, code: string) => fs.filter((f) => f.code === code).map((f) => `${f.object} ${f.path}`);

describe("lint: admin tiers", () => {
  it("warns about equal priorities only when the subjects share a pod", () => {
    const all = "{namespaces: {}}";
    const app = "{namespaces: {matchLabels: {team: a}}}";
    const mon = "{namespaces: {matchLabels: {team: ops}}}";
    const rule = "[{action: Allow, from: [{namespaces: {}}]}]";
    expect(at(findings(anp("b", 5, all, rule) + anp("a", 5, app, rule)), CODES.adminPriorityShared)).toEqual(["AdminNetworkPolicy a spec.priority"]);
    expect(at(findings(anp("b", 5, mon, rule) + anp("a", 5, app, rule)), CODES.adminPriorityShared)).toEqual([]);
  });

  it("finds rules that never decide: covered by an earlier rule, or by a policy decided first for every pod", () => {
    const fs = findings(
      anp("first", 1, "{namespaces: {}}", "[{action: Deny, from: [{namespaces: {matchLabels: {team: ops}}}], ports: [{portRange: {start: 1, end: 9000}}]}]") +
        anp("later", 2, "{namespaces: {matchLabels: {team: a}}}", [
          "[{action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {role: prom}}}}], ports: [{portNumber: {port: 8080}}]},",
          "  {action: Allow, from: [{namespaces: {}}]},",
          "  {action: Deny, from: [{namespaces: {matchLabels: {team: a}}}], ports: [{namedPort: http}]},",
          "  {action: Pass, from: [{namespaces: {matchLabels: {team: nobody}}}]}]",
        ].join("\n    ")),
    );
    expect(at(fs, CODES.adminUnreachable)).toEqual(["AdminNetworkPolicy later spec.ingress[0]", "AdminNetworkPolicy later spec.ingress[2]"]);
    expect(fs.find((f) => f.path === "spec.ingress[0]" && f.code === CODES.adminUnreachable)!.message).toMatch(/AdminNetworkPolicy first ingress\[0\] \(decided first\)/);
    expect(fs.find((f) => f.path === "spec.ingress[2]" && f.code === CODES.adminUnreachable)!.message).toMatch(/ingress\[1\] of this policy/);
    expect(at(fs, CODES.adminMatchesNothing)).toEqual(["AdminNetworkPolicy later spec.ingress[3]"]);
  });

  it("a policy decided first that selects fewer pods does not make a rule unreachable", () => {
    const fs = findings(
      anp("narrow", 1, "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {role: nobody}}}}", "[{action: Deny, from: [{namespaces: {}}]}]") +
        anp("broad", 2, "{namespaces: {}}", "[{action: Allow, from: [{namespaces: {}}]}]"),
    );
    expect(at(fs, CODES.adminUnreachable)).toEqual([]);
  });
});
