/** `netpol lint` as a user runs it: text and JSON, exit status by --fail-on. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SHOP, netpol } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "netpol-lint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe("netpol lint", () => {
  it("passes the shop example: no findings, exit 0", () => {
    const r = netpol(["lint", "-f", SHOP]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("no findings\n");
  });

  it("reports with severity, object and path; exit 1 on an error, or on a warning with --fail-on warning", () => {
    const extra = join(dir, "extra.yaml");
    writeFileSync(
      extra,
      [
        "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata: {name: scrape-typo, namespace: shop}",
        "spec:",
        "  podSelector: {matchLabels: {app-component: api}}",
        "  ingress:",
        "  - from: [{podSelector: {matchLabels: {app: prometheus-typo}}}]",
        "---",
        "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata: {name: everyone, namespace: shop}",
        "spec:",
        "  podSelector: {matchLabels: {app-component: frontend}}",
        "  ingress: [{}]",
        "",
      ].join("\n"),
    );
    const r = netpol(["lint", "-f", SHOP, "-f", extra]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("error: NetworkPolicy shop/scrape-typo: spec.ingress[0]: can never allow anything in this cluster: none of its peers matches a pod [rule-matches-nothing]");
    expect(lines).toContain("warning: NetworkPolicy shop/everyone: spec.ingress[0]: allows all ingress traffic (from anywhere, on every port) for the pods it selects [rule-allows-all]");
    expect(lines[lines.length - 1]).toBe("1 error, 2 warnings, 0 infos");
    const json = JSON.parse(netpol(["lint", "-f", SHOP, "-f", extra, "-o", "json"]).stdout) as { severity: string; code: string; object: string; path: string }[];
    expect(json.map((f) => f.code)).toEqual(["rule-matches-nothing", "rule-allows-all", "peer-matches-nothing"]);
    const warnOnly = join(dir, "warn.yaml");
    writeFileSync(warnOnly, ["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata: {name: none, namespace: shop}", "spec: {podSelector: {matchLabels: {app: nobody}}}", ""].join("\n"));
    expect(netpol(["lint", "-f", SHOP, "-f", warnOnly]).status).toBe(0);
    expect(netpol(["lint", "-f", SHOP, "-f", warnOnly, "--fail-on", "warning"]).status).toBe(1);
    expect(netpol(["lint", "-f", SHOP, "--fail-on", "fatal"]).status).toBe(2);
  });
});
