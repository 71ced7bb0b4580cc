/**
 * Admin tiers from manifests to verdicts: AdminNetworkPolicy and the BaselineAdminNetworkPolicy
 * load and validate, and every command decides, explains, tabulates and compares them with
 * the compiled engine (the default) exactly as with `--engine reference`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SHOP_PASS_ANP } from "../fixtures/manifests.js";
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
  it("eval decides through the tiers, with either engine and from a saved bundle", () => {
    const r = netpol(["eval", "-f", SHOP, "-f", ADMIN, "--flows", flows]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n").map((l) => l.split(",")[4])).toEqual(["verdict", "allow", "deny", "allow", "deny", "allow"]);
    expect(netpol(["eval", "-f", SHOP, "-f", ADMIN, "--flows", flows, "--engine", "reference"]).stdout).toBe(r.stdout);
    const without = netpol(["eval", "-f", SHOP, "--flows", flows]);
    expect(without.stdout.trimEnd().split("\n").map((l) => l.split(",")[4])).toEqual(["verdict", "deny", "allow", "allow", "deny", "allow"]);
    const bundle = join(dir, "tiers.npwb");
    expect(netpol(["compile", "-f", SHOP, "-f", ADMIN, "-o", bundle]).status).toBe(0);
    expect(netpol(["eval", "--bundle", bundle, "--flows", flows]).stdout).toBe(r.stdout);
  });

  it("eval --explain names the deciding tier identically from both engines and from a bundle", () => {
    const r = netpol(["eval", "-f", SHOP, "-f", ADMIN, "--flows", flows, "--explain"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("ANP monitoring-may-scrape[0] Allow");
    expect(r.stdout).toContain("ANP monitoring-may-scrape[1] Deny");
    expect(netpol(["eval", "-f", SHOP, "-f", ADMIN, "--flows", flows, "--explain", "--engine", "reference"]).stdout).toBe(r.stdout);
    const bundle = join(dir, "tiers-explain.npwb");
    expect(netpol(["compile", "-f", SHOP, "-f", ADMIN, "-o", bundle]).status).toBe(0);
    expect(netpol(["eval", "--bundle", bundle, "--flows", flows, "--explain"]).stdout).toBe(r.stdout);
  });

  it("explain walks the tiers: the deciding admin rule, or a Pass down to NetworkPolicy (both engines agree)", () => {
    const pass = join(dir, "pass.yaml");
    writeFileSync(pass, SHOP_PASS_ANP);
    const args = ["explain", "-f", SHOP, "-f", ADMIN, "-f", pass, "--from", "shop/frontend-7d9f8", "--to", "shop/api-5c8b4", "--port", "http"];
    const r = netpol(args);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("  ingress of shop/api-5c8b4: [ANP] Pass (shop-decides-own ingress rule 0) → NetworkPolicy, then the baseline\n");
    expect(r.stdout).toContain("    allowed by shop/api ingress rule 0:");
    expect(netpol([...args, "--engine", "reference"]).stdout).toBe(r.stdout);
    const json = ["explain", "-f", SHOP, "-f", ADMIN, "--from", "monitoring/prometheus-0", "--to", "shop/database-0", "--port", "5432", "-o", "json"];
    const j = JSON.parse(netpol(json).stdout) as { verdict: string; ingress: unknown };
    expect(j.verdict).toBe("allow");
    expect(j.ingress).toMatchObject({ reason: "admin rule", tierRule: { policy: "monitoring-may-scrape", rule: 0, action: "Allow" } });
    expect(netpol([...json, "--engine", "reference"]).stdout).toBe(netpol(json).stdout);
  });

  it("matrix tabulates through the tiers, the same from both engines (table and json)", () => {
    for (const output of ["table", "json"]) {
      const args = ["matrix", "-f", SHOP, "-f", ADMIN, "-o", output];
      expect(netpol([...args, "--engine", "reference"]).stdout, output).toBe(netpol(args).stdout);
    }
    const r = netpol(["matrix", "-f", SHOP, "-f", ADMIN, "--ports", "5432/TCP", "-o", "json"]);
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout) as { pods: string[]; ports: { rows: string[] }[] };
    // prometheus now reaches every shop pod (the ANP allows monitoring in); without the tiers it reached none.
    const row = m.ports[0]!.rows[m.pods.indexOf("monitoring/prometheus-0")]!;
    expect(m.pods.filter((p) => p.startsWith("shop/")).map((p) => row[m.pods.indexOf(p)])).toEqual([".", ".", "."]);
    for (const engine of ["wasm", "reference"]) {
      const html = netpol(["matrix", "-f", SHOP, "-f", ADMIN, "--ports", "8080/TCP", "-o", "html", "--engine", engine]).stdout;
      expect(html, engine).toContain("ANP monitoring-may-scrape[1] Deny");
    }
  });

  it("diff shows what adding admin policies changes, with the deciding tier, the same from both engines", () => {
    const args = ["diff", "-f", join(SHOP, "cluster.yaml"), "--before", join(SHOP, "policies.yaml"), "--after", join(SHOP, "policies.yaml"), "--after", ADMIN];
    const r = netpol([...args, "-o", "json"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { summary: { newlyDenied: number; newlyAllowed: number }; changes: { src: string[]; dst: string[]; port: string; after: { ingress: unknown } }[] };
    expect(out.summary.newlyDenied).toBe(1);
    expect(out.changes).toContainEqual(expect.objectContaining({ src: ["default/debug-v6"], dst: ["shop/frontend-7d9f8"], port: "8080/TCP (web)", after: expect.objectContaining({ ingress: { kind: "admin", policy: "monitoring-may-scrape", rule: 1, action: "Deny" } }) }));
    const ref = JSON.parse(netpol([...args, "--engine", "reference", "-o", "json"]).stdout) as typeof out;
    // The compiled diff decides only what the change can touch, so it counts fewer connections.
    expect([ref.summary.newlyDenied, ref.summary.newlyAllowed]).toEqual([out.summary.newlyDenied, out.summary.newlyAllowed]);
    expect(ref.changes).toEqual(out.changes);
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
    const r = netpol(["eval", "-f", out, "--flows", join(dir, "gen-flows.csv"), "-q"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/500 flows: \d+ allowed, \d+ denied/);
    expect(netpol(["eval", "-f", out, "--flows", join(dir, "gen-flows.csv"), "--engine", "reference", "-q"]).stdout).toBe(r.stdout);
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
