/** `netpol diff` as a user runs it: the listing, JSON, external address classes, and kubectl-diff exit codes. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SHOP, netpol } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "netpol-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policies = readFileSync(join(SHOP, "policies.yaml"), "utf8");
const cluster = join(SHOP, "cluster.yaml");
const before = join(SHOP, "policies.yaml");

function variant(name: string, from: string, to: string): string {
  expect(policies).toContain(from);
  const path = join(dir, name);
  writeFileSync(path, policies.replace(from, to));
  return path;
}


describe("netpol diff", () => {
  it("exits 0 and says so when nothing changes", () => {
    const r = netpol(["diff", "-f", cluster, "--before", before, "--after", before]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("no change: both sides have the same policies, pods and namespaces\n");
    // A change that flips nothing: the same rule twice.
    const same = variant("same.yaml", "    - {protocol: TCP, port: 5432}", "    - {protocol: TCP, port: 5432}\n    - {protocol: TCP, port: 5432}");
    const s = netpol(["diff", "-f", cluster, "--before", before, "--after", same]);
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/^no change: all \d+ connections of the 1 pod the change touches keep their verdict\n$/);
  });

  it("lists each changed connection once (named ports resolved), grouped, with the reasons before and after; exit 1", () => {
    const after = variant("port.yaml", "{protocol: TCP, port: 5432}", "{protocol: TCP, port: 5433}");
    const r = netpol(["diff", "-f", cluster, "--before", before, "--after", after]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("2 connections newly denied, 1 newly allowed");
    expect(r.stdout).toContain(
      [
        "  shop → shop, 5432/TCP: 1 connection",
        "    shop/api-5c8b4 → shop/database-0",
        "      before allow  egress shop/api[0]; ingress shop/database[0]",
        "      after  deny   egress shop/api[0]; ingress denied:shop/default-deny|shop/database|shop/allow-scrape",
      ].join("\n"),
    );
    expect(r.stdout).toMatch(/newly allowed \(1\):\n {2}payments → shop, 5433\/TCP: 1 connection\n {4}payments\/checkout-6f7d → shop\/database-0\n/);
  });

  it("covers external address classes: an ipBlock change shows up against a representative address", () => {
    const after = variant("block.yaml", "203.0.113.128/25", "203.0.113.192/26");
    const r = netpol(["diff", "-f", cluster, "--before", before, "--after", after, "-o", "json"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { summary: { newlyAllowed: number; newlyDenied: number }; changes: unknown[] };
    expect(out.summary).toMatchObject({ newlyAllowed: 1, newlyDenied: 0 });
    expect(out.changes).toEqual([
      expect.objectContaining({
        src: ["shop/api-5c8b4"],
        dst: ["203.0.113.128 (0.0.0.0/0 and 203.0.113.0/24 except 203.0.113.192/26)"],
        port: "443/TCP",
        connections: 1,
        after: { verdict: "allow", egress: { kind: "allowed", policy: "shop/api", rule: 2 }, ingress: { kind: "none" } },
      }),
    ]);
  });

  it("exits 2 on any error, invalid manifests included (1 means changes)", () => {
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Sideways]}\n");
    const r = netpol(["diff", "-f", cluster, "--before", before, "--after", broken]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml.*policyTypes/s);
    const u = netpol(["diff", "-f", cluster, "--after", before]);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/diff needs --before PATH and --after PATH/);
  });
});
