import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clusterObjects } from "../../src/fuzz/index.js";
import { clusterFromObjects, loadCluster } from "../../src/model/load.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { CODES, lint } from "../../src/report/lint.js";
import { APP_WEB, documents, namespace, pod } from "../fixtures/manifests.js";

const YAML = `
${documents(
  namespace("app", { team: "a" }),
  namespace("mon", { team: "ops" }),
  namespace("kube-system"),
  pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, "10.0.9.9", ["{name: dns, containerPort: 53, protocol: UDP}"]),
  APP_WEB,
  pod("app", "db", { role: "db" }, "10.0.0.2", ["{name: pg, containerPort: 5432}"]),
  pod("mon", "prom", { role: "prom" }, "10.0.1.1"),
)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: nobody, namespace: app}
spec: {podSelector: {matchLabels: {role: ghost}}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: app}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {role: web}}}]
    ports: [{port: 5432}]
  - from: [{podSelector: {matchLabels: {role: web}}}]
    ports: [{port: 5432}]
  - from: [{namespaceSelector: {matchLabels: {team: ops}}}, {podSelector: {matchLabels: {role: prom}}}]
  - from: [{podSelector: {matchLabels: {role: ghost}}}]
  - ports: [{port: metrics}]
  egress:
  - to: [{podSelector: {matchLabels: {role: web}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: app}
spec:
  podSelector: {matchLabels: {role: web}}
  ingress: [{}]
`;

describe("netpol lint findings", () => {
  const { cluster } = loadCluster([{ file: "c.yaml", text: YAML }]);
  const findings = lint(cluster);
  const at = (code: string) => findings.filter((f) => f.code === code).map((f) => `${f.object} ${f.path}`);

  it("finds each kind of mistake, at the object and field path", () => {
    expect(at(CODES.selectsNothing)).toEqual(["NetworkPolicy app/nobody spec.podSelector"]);
    expect(at(CODES.shadowed)).toEqual(["NetworkPolicy app/db spec.ingress[1]"]);
    expect(at(CODES.intendedAnd)).toEqual(["NetworkPolicy app/db spec.ingress[2].from[0]"]);
    expect(at(CODES.peerMatchesNothing)).toEqual(["NetworkPolicy app/db spec.ingress[2].from[1]", "NetworkPolicy app/db spec.ingress[3].from[0]"]);
    expect(at(CODES.deadRule)).toEqual(["NetworkPolicy app/db spec.ingress[3]", "NetworkPolicy app/db spec.ingress[4]"]);
    expect(at(CODES.namedPortUndefined)).toEqual(["NetworkPolicy app/db spec.ingress[4].ports[0].port"]);
    expect(at(CODES.noDns)).toEqual(["NetworkPolicy app/db spec.policyTypes"]);
    expect(at(CODES.allowAll)).toEqual(["NetworkPolicy app/open spec.ingress[0]"]);
    expect(findings[0]!.severity).toBe("error");
    expect(findings.find((f) => f.code === CODES.intendedAnd)!.message).toMatch(/two peers, either of which matches/);
  });

  it("finds nothing in a clean policy set", () => {
    const clean = loadCluster([{ file: "c.yaml", text: YAML.split("\n---\napiVersion: networking.k8s.io/v1")[0]! }]).cluster;
    expect(lint(clean)).toEqual([]);
  });

  it("says 'matches nothing' only where the reference evaluator lets no pod through that peer or rule", () => {
    fc.assert(
      fc.property(clusterObjects(), (c) => {
        const { cluster } = clusterFromObjects([...c.namespaces, ...c.pods, ...c.policies]);
        const ref = new ReferenceEvaluator(cluster);
        const pods = cluster.pods.filter((p) => p.ips.length > 0);
        for (const f of lint(cluster)) {
          const policy = cluster.policies.find((p) => `NetworkPolicy ${p.namespace}/${p.name}` === f.object)!;
          if (f.code === CODES.selectsNothing) {
            for (const pod of pods) for (const d of ["ingress", "egress"] as const) expect(ref.isolating(pod, d)).not.toContain(policy);
          }
          const m = /^spec\.(ingress|egress)\[(\d+)\]$/.exec(f.path);
          if (f.code === CODES.deadRule && m && f.message.includes("peers")) {
            const direction = m[1] as "ingress" | "egress";
            // No pod as the far side makes any peer of the rule match.
            for (const far of pods) for (const near of pods) {
              const flow = direction === "ingress" ? { src: far.ips[0]!, dst: near.ips.find((ip) => ip.family === far.ips[0]!.family) ?? near.ips[0]!, protocol: "TCP" as const, port: 80 } : { src: near.ips[0]!, dst: far.ips.find((ip) => ip.family === near.ips[0]!.family) ?? far.ips[0]!, protocol: "TCP" as const, port: 80 };
              if (flow.src.family !== flow.dst.family) continue;
              expect(ref.ruleMatch(policy, direction, Number(m[2]), flow).peer).toBeNull();
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
