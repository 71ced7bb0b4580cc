import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PER_POD_LIMIT, clusterSummary } from "../../src/cli/summary.js";
import { generateCluster } from "../../src/gen/index.js";
import { clusterFromObjects, loadCluster } from "../../src/model/load.js";

const shop = loadCluster(["cluster.yaml", "policies.yaml"].map((f) => ({ file: f, text: readFileSync(new URL(`../../examples/shop/${f}`, import.meta.url), "utf8") }))).cluster;

describe("eval --summary", () => {
  it("lists every pod of a small cluster with its addresses and the policies isolating each direction", () => {
    const text = clusterSummary(shop);
    expect(text).toMatch(/^cluster: 5 namespaces, 8 pods \(7 with addresses\), 7 NetworkPolicies\n/);
    expect(text).toContain("  shop/database-0  10.244.2.30\n      ingress isolated by default-deny, database, allow-scrape\n      egress  isolated by default-deny, allow-dns\n");
    expect(text).toContain("  monitoring/node-exporter-x2k4  hostNetwork (outside: not a policy endpoint)\n");
    expect(text).toContain("  payments/checkout-6f7d  10.244.3.40\n      ingress isolated by checkout-ingress\n      egress  open\n");
  });

  it("lists the admin tiers in the order they decide", () => {
    const admin = loadCluster([
      ...["cluster.yaml", "policies.yaml"].map((f) => ({ file: f, text: readFileSync(new URL(`../../examples/shop/${f}`, import.meta.url), "utf8") })),
      { file: "admin.yaml", text: readFileSync(new URL("../../examples/admin/admin-policies.yaml", import.meta.url), "utf8") },
    ]).cluster;
    const text = clusterSummary(admin);
    expect(text).toContain("\nadmin tier, by priority: monitoring-may-scrape (10)\nbaseline tier: default (0)\n");
  });

  it("summarises a large cluster per namespace, one line each", () => {
    const o = generateCluster({ namespaces: 6, pods: PER_POD_LIMIT * 5, policies: 30, cidrs: 5, seed: 2 });
    const cluster = clusterFromObjects([...o.namespaces, ...o.pods, ...o.policies]).cluster;
    const lines = clusterSummary(cluster).trimEnd().split("\n");
    expect(lines.length).toBe(1 + cluster.namespaces.length);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}[a-z0-9-]+: \d+ pods, \d+ policies; isolated: \d+ ingress, \d+ egress$/);
  });
});
