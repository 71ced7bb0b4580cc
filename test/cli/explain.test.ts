/**
 * `netpol explain` and `netpol eval --explain` as a user runs them (the built binary), on the
 * shop example: the walkthrough's content, the JSON held to the reference evaluator, and the
 * usage mistakes a person makes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SHOP, netpol } from "./run.js";
import { loadPaths } from "../../src/model/files.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";


const dir = mkdtempSync(join(tmpdir(), "netpol-explain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const { cluster } = await loadPaths([SHOP]);
const ref = new ReferenceEvaluator(cluster);
const names = cluster.policies.map((p) => `${p.namespace}/${p.name}`);

describe("netpol explain", () => {
  it("walks an allowed connection through both directions, named port resolved", () => {
    const r = netpol(["explain", "-f", SHOP, "--from", "shop/frontend-7d9f8", "--to", "shop/api-5c8b4", "--port", "http"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        "shop/frontend-7d9f8 (10.244.1.10) → shop/api-5c8b4 (10.244.1.20)  TCP 8000 (http): ALLOWED",
        "  egress of shop/frontend-7d9f8: allow — isolated by shop/default-deny, shop/allow-dns, shop/frontend",
        "    allowed by shop/frontend egress rule 0: to[0] pods app-component=api in the policy's namespace; ports[0] http/TCP = 8000",
        "  ingress of shop/api-5c8b4: allow — isolated by shop/default-deny, shop/api, shop/allow-scrape",
        "    allowed by shop/api ingress rule 0: from[0] pods app-component=frontend in the policy's namespace; ports[0] http/TCP = 8000",
        "",
      ].join("\n"),
    );
  });

  it("says how every rule of the isolating policies missed when nothing matched", () => {
    const r = netpol(["explain", "-f", SHOP, "--from", "shop/frontend-7d9f8", "--to", "shop/database-0", "--port", "5432"]);
    expect(r.stdout).toContain("TCP 5432 (postgres): DENIED");
    expect(r.stdout).toContain("      shop/default-deny  no egress rules: allows nothing\n");
    expect(r.stdout).toContain("      shop/frontend      egress rule 0: no to peer matches; no port matches\n");
    expect(r.stdout).toContain("      shop/database      ingress rule 0: no from peer matches; ports[0] matches\n");
  });

  it("explains every container port of the destination when --port is left out", () => {
    const r = netpol(["explain", "-f", SHOP, "--from", "shop/frontend-7d9f8", "--to", "shop/api-5c8b4", "-o", "json"]);
    const reports = JSON.parse(r.stdout) as { port: number; verdict: string; namedPorts: string[] }[];
    expect(reports.map((x) => [x.port, x.namedPorts, x.verdict])).toEqual([[8000, ["http"], "allow"], [9091, ["metrics"], "deny"]]);
  });

  it("gives, as JSON, what the reference evaluator says, for every pair of the example on its ports", () => {
    const pods = cluster.pods.filter((p) => p.ips.some((a) => a.family === 4));
    for (const [from, to, port] of [[pods[0]!, pods[1]!, "8000"], [pods[1]!, pods[2]!, "5432"], [pods[4]!, pods[1]!, "9091"], [pods[1]!, pods[1]!, "8000"]] as const) {
      const r = netpol(["explain", "-f", SHOP, "--from", `${from.namespace}/${from.name}`, "--to", `${to.namespace}/${to.name}`, "--port", port, "-o", "json"]);
      expect(r.status).toBe(0);
      const got = JSON.parse(r.stdout) as { verdict: string; egress: { reason: string; rules: { policy: string; rule: number }[]; policies: string[] }; ingress: typeof got.egress };
      const want = ref.explainFlow({ src: from.ips.find((a) => a.family === 4)!, dst: to.ips.find((a) => a.family === 4)!, protocol: "TCP", port: Number(port) });
      expect(got.verdict).toBe(want.verdict);
      for (const d of ["egress", "ingress"] as const) {
        const w = want[d];
        if (w.kind === "allowed") expect(got[d].rules).toEqual([expect.objectContaining({ policy: names[w.policy], rule: w.rule })]);
        if (w.kind === "denied") expect(got[d].policies).toEqual(w.policies.map((i) => names[i]));
        expect(got[d].reason).toBe({ allowed: "rule", denied: "no rule matched", self: "self", none: got[d].reason, tier: "admin rule" }[w.kind]);
      }
    }
  });

  it("takes addresses on either side, and YAML", () => {
    const r = netpol(["explain", "-f", SHOP, "--from", "198.51.100.7", "--to", "10.244.2.30", "--port", "5432", "-o", "yaml"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("src:\n  address: 198.51.100.7\n  pod: null\n");
    expect(r.stdout).toContain("egress:\n  pod: null\n  isolated: false\n  policies: []\n  verdict: allow\n  reason: not a pod\n");
  });

  it("names the mistake: unknown pod, a port the pod lacks, a missing family, a pod without an address", () => {
    const cases: [string[], RegExp][] = [
      [["--from", "shop/nope", "--to", "shop/api-5c8b4"], /--from shop\/nope: no pod nope in namespace shop \(pods there: frontend-7d9f8, api-5c8b4, database-0\)/],
      [["--from", "shop/frontend-7d9f8", "--to", "shop/api-5c8b4", "--port", "grpc"], /--port grpc: shop\/api-5c8b4 has no container port named grpc/],
      [["--from", "shop/api-5c8b4", "--to", "fd00:10:244::2", "--port", "53"], /no IPv6 address on both sides: shop\/api-5c8b4 has none/],
      [["--from", "monitoring/node-exporter-x2k4", "--to", "shop/api-5c8b4"], /the pod owns no address \(hostNetwork/],
      [["--from", "shop", "--to", "shop/api-5c8b4"], /expected NAMESPACE\/POD or an IP address/],
      [["--from", "198.51.100.7", "--to", "198.51.100.8"], /--port is needed: 198.51.100.8 is not a pod/],
      [["--from", "shop/frontend-7d9f8", "--to", "shop/api-5c8b4", "--protocol", "ICMP"], /--protocol takes TCP, UDP or SCTP/],
    ];
    for (const [args, message] of cases) {
      const r = netpol(["explain", "-f", SHOP, ...args]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("netpol eval --explain", () => {
  const flows = join(SHOP, "flows.csv");

  it("adds why per direction, the same from both engines and from a saved bundle", () => {
    const wasm = netpol(["eval", "-f", SHOP, "--flows", flows, "--explain"]);
    expect(wasm.status).toBe(0);
    expect(netpol(["eval", "-f", SHOP, "--flows", flows, "--explain", "--engine", "reference"]).stdout).toBe(wasm.stdout);
    const bundle = join(dir, "shop.bundle");
    expect(netpol(["compile", "-f", SHOP, "-o", bundle, "-q"]).status).toBe(0);
    expect(netpol(["eval", "--bundle", bundle, "--flows", flows, "--explain"]).stdout).toBe(wasm.stdout);
    const lines = wasm.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("src,dst,protocol,port,verdict,egress,ingress");
    expect(lines).toContain("10.244.1.20,10.244.2.30,TCP,5432,allow,shop/api[0],shop/database[0]");
    expect(lines).toContain("10.244.1.10,10.244.2.30,TCP,5432,deny,denied:shop/default-deny|shop/allow-dns|shop/frontend,denied:shop/default-deny|shop/database|shop/allow-scrape");
    expect(lines).toContain("198.51.100.7,10.244.1.10,TCP,8080,allow,none,shop/frontend[0]");
  });

  it("gives reasons as objects in JSON lines, and refuses --threads", () => {
    const r = netpol(["eval", "-f", SHOP, "--flows", flows, "--explain", "-o", "jsonl"]);
    const first = JSON.parse(r.stdout.split("\n")[0]!) as Record<string, unknown>;
    expect(first).toEqual({ src: "198.51.100.7", dst: "10.244.1.10", protocol: "TCP", port: 8080, verdict: "allow", egress: { kind: "none" }, ingress: { kind: "allowed", policy: "shop/frontend", rule: 0 } });
    const t = netpol(["eval", "-f", SHOP, "--flows", flows, "--explain", "--threads", "2"]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/--explain decides on one thread/);
  });
});


