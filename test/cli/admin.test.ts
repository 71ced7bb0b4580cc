/**
 * Admin tiers from manifests to verdicts (issue 6, first part): AdminNetworkPolicy and the
 * BaselineAdminNetworkPolicy load and validate, `eval --engine reference` decides them, and
 * every command that needs the compiled core refuses them with a way forward.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SHOP, netpol } from "./run.js";

const ADMIN = fileURLToPath(new URL("../../examples/admin/admin-policies.yaml", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "netpol-admin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const flows = join(dir, "flows.csv");
writeFileSync(
  flows,
  [
    "src,dst,protocol,port",
    "10.244.4.50,10.244.2.30,TCP,5432", // prometheus -> database: NP denies, the ANP allows monitoring into shop
    "fd00:10:244:5::3c,fd00:10:244:1::a,TCP,8080", // debug pod (default) -> frontend: NP allows, the ANP denies
    "10.244.1.20,10.244.3.40,TCP,8443", // api -> checkout: NP isolates checkout and allows: the baseline is not consulted
    "10.244.0.2,10.244.3.40,TCP,8443", // coredns -> checkout: NP isolates and denies
    "10.244.1.10,10.244.1.20,TCP,8000", // frontend -> api: no ANP rule matches, NP allows
    "",
  ].join("\n"),
);

describe("admin tiers on the command line", () => {
  it("eval --engine reference decides through the tiers", () => {
    const r = netpol(["eval", "-f", SHOP, "-f", ADMIN, "--flows", flows, "--engine", "reference"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n").map((l) => l.split(",")[4])).toEqual(["verdict", "allow", "deny", "allow", "deny", "allow"]);
    const without = netpol(["eval", "-f", SHOP, "--flows", flows, "--engine", "reference"]);
    expect(without.stdout.trimEnd().split("\n").map((l) => l.split(",")[4])).toEqual(["verdict", "deny", "allow", "allow", "deny", "allow"]);
  });

  it("the compiled engine refuses admin tiers instead of ignoring them, and says what works", () => {
    const r = netpol(["eval", "-f", SHOP, "-f", ADMIN, "--flows", flows]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not compiled into bundles yet: only the reference evaluator decides them: run with --engine reference/);
    for (const args of [["compile", "-o", join(dir, "b")], ["matrix"], ["explain", "--from", "shop/api-5c8b4", "--to", "shop/database-0"]]) {
      const c = netpol([args[0]!, "-f", SHOP, "-f", ADMIN, ...args.slice(1)]);
      expect(c.status, args[0]).toBe(1);
      expect(c.stderr, args[0]).toMatch(/AdminNetworkPolicy/);
    }
  });

  it("explain --engine reference walks the tiers: the deciding admin rule, or a Pass down to NetworkPolicy", () => {
    const pass = join(dir, "pass.yaml");
    writeFileSync(pass, [
      "apiVersion: policy.networking.k8s.io/v1alpha1",
      "kind: AdminNetworkPolicy",
      "metadata: {name: shop-decides-own}",
      "spec:",
      "  priority: 1",
      "  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}",
      "  ingress: [{name: own, action: Pass, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]}]",
      "",
    ].join("\n"));
    const r = netpol(["explain", "-f", SHOP, "-f", ADMIN, "-f", pass, "--from", "shop/frontend-7d9f8", "--to", "shop/api-5c8b4", "--port", "http", "--engine", "reference"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("  ingress of shop/api-5c8b4: [ANP] Pass (shop-decides-own ingress rule 0) → NetworkPolicy, then the baseline\n");
    expect(r.stdout).toContain("    allowed by shop/api ingress rule 0:");
    const j = JSON.parse(netpol(["explain", "-f", SHOP, "-f", ADMIN, "--from", "monitoring/prometheus-0", "--to", "shop/database-0", "--port", "5432", "--engine", "reference", "-o", "json"]).stdout) as { verdict: string; ingress: unknown };
    expect(j.verdict).toBe("allow");
    expect(j.ingress).toMatchObject({ reason: "admin rule", tierRule: { policy: "monitoring-may-scrape", rule: 0, action: "Allow" } });
    const w = netpol(["explain", "-f", SHOP, "-f", ADMIN, "--from", "shop/frontend-7d9f8", "--to", "shop/api-5c8b4"]);
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(/run with --engine reference/);
  });

  it("matrix --engine reference tabulates through the tiers, and equals the compiled engine without them", () => {
    const plain = ["matrix", "-f", SHOP, "-o", "json"];
    expect(netpol([...plain, "--engine", "reference"]).stdout).toBe(netpol(plain).stdout);
    const r = netpol(["matrix", "-f", SHOP, "-f", ADMIN, "--ports", "5432/TCP", "-o", "json", "--engine", "reference"]);
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout) as { pods: string[]; ports: { rows: string[] }[] };
    // prometheus now reaches every shop pod (the ANP allows monitoring in); without the tiers it reached none.
    const row = m.ports[0]!.rows[m.pods.indexOf("monitoring/prometheus-0")]!;
    expect(m.pods.filter((p) => p.startsWith("shop/")).map((p) => row[m.pods.indexOf(p)])).toEqual([".", ".", "."]);
    const html = netpol(["matrix", "-f", SHOP, "-f", ADMIN, "--ports", "8080/TCP", "-o", "html", "--engine", "reference"]).stdout;
    expect(html).toContain("ANP monitoring-may-scrape[1] Deny");
  });

  it("diff --engine reference shows what adding admin policies changes, with the deciding tier; the engines refuse", () => {
    const args = ["diff", "-f", join(SHOP, "cluster.yaml"), "--before", join(SHOP, "policies.yaml"), "--after", join(SHOP, "policies.yaml"), "--after", ADMIN];
    const r = netpol([...args, "--engine", "reference", "-o", "json"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { summary: { newlyDenied: number; newlyAllowed: number }; changes: { src: string[]; dst: string[]; port: string; after: { ingress: unknown } }[] };
    expect(out.summary.newlyDenied).toBe(1);
    expect(out.changes).toContainEqual(expect.objectContaining({ src: ["default/debug-v6"], dst: ["shop/frontend-7d9f8"], port: "8080/TCP (web)", after: expect.objectContaining({ ingress: { kind: "admin", policy: "monitoring-may-scrape", rule: 1, action: "Deny" } }) }));
    const w = netpol(args);
    expect(w.status).toBe(2);
    expect(w.stderr).toMatch(/run with --engine reference/);
  });

  it("lint checks the admin tiers with the NetworkPolicies (the shop and its admin policies are clean)", () => {
    const r = netpol(["lint", "-f", SHOP, "-f", ADMIN]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("no findings\n");
  });

  it("netpol gen --admin-policies N --baseline writes adminpolicies.yaml, which loads and decides", () => {
    const out = join(dir, "gen");
    const g = netpol(["gen", "--preset", "SMALL", "--admin-policies", "8", "--baseline", "-o", out]);
    expect(g.status).toBe(0);
    expect(g.stderr).toMatch(/20 network policies, 9 admin policies .*adminpolicies\.yaml/);
    const f = netpol(["gen", "flows", "-f", out, "--count", "500", "-o", join(dir, "gen-flows.csv"), "-q"]);
    expect(f.status).toBe(0);
    const r = netpol(["eval", "-f", out, "--flows", join(dir, "gen-flows.csv"), "--engine", "reference", "-q"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/500 flows: \d+ allowed, \d+ denied/);
  });

  it("validates them as the CRDs do, at field paths, and warns about equal priorities", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, [
      "apiVersion: policy.networking.k8s.io/v1alpha1",
      "kind: AdminNetworkPolicy",
      "metadata: {name: too-high}",
      "spec:",
      "  priority: 1001",
      "  subject: {namespaces: {}}",
      "  ingress: [{action: Allow, from: [{namespaces: {}}]}]",
      "---",
      "apiVersion: policy.networking.k8s.io/v1alpha1",
      "kind: BaselineAdminNetworkPolicy",
      "metadata: {name: not-default}",
      "spec: {subject: {namespaces: {}}}",
      "",
    ].join("\n"));
    const r = netpol(["eval", "-f", SHOP, "-f", bad, "--flows", flows, "--engine", "reference"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:5:\d+: AdminNetworkPolicy too-high: spec\.priority: Invalid value: 1001/);
    expect(r.stderr).toMatch(/BaselineAdminNetworkPolicy not-default: .*default/);
    const tie = join(dir, "tie.yaml");
    const anp = (name: string) => ["apiVersion: policy.networking.k8s.io/v1alpha1", "kind: AdminNetworkPolicy", `metadata: {name: ${name}}`, "spec:", "  priority: 7", "  subject: {namespaces: {}}", "  ingress: [{action: Allow, from: [{namespaces: {}}]}]"].join("\n");
    writeFileSync(tie, `${anp("b-second")}\n---\n${anp("a-first")}\n`);
    const t = netpol(["eval", "-f", SHOP, "-f", tie, "--flows", flows, "--engine", "reference"]);
    expect(t.status).toBe(0);
    expect(t.stderr).toMatch(/warning: .*AdminNetworkPolicy a-first: spec\.priority: priority 7 \(admin tier\) is shared with AdminNetworkPolicy b-second .*name order \(a-first, b-second\)/);
  });
});
