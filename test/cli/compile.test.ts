/**
 * `netpol compile` and `netpol eval --bundle / --engine`: a bundle saved by compile decides
 * exactly like the manifests it came from, on both engines; usage mistakes exit 2.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const SHOP = fileURLToPath(new URL("../../examples/shop/", import.meta.url));
const FLOWS = join(SHOP, "flows.csv");

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "netpol-compile-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function netpol(args: readonly string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, timeout: 60_000, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe("netpol compile and eval --bundle", () => {
  it("a saved bundle gives the same verdicts as the manifests, on the wasm and the reference engine", () => {
    const out = join(dir, "shop.bundle");
    const c = netpol(["compile", "-f", SHOP, "-o", out]);
    expect(c.status).toBe(0);
    expect(c.stderr).toMatch(/shop\.bundle: \d+ bytes .* compiled in \d+ ms/);
    expect(c.stderr).toMatch(/8 pods → 8 identities/);
    const fromBundle = netpol(["eval", "--bundle", out, "--flows", FLOWS]);
    const wasm = netpol(["eval", "-f", SHOP, "--flows", FLOWS]);
    const reference = netpol(["eval", "-f", SHOP, "--flows", FLOWS, "--engine", "reference"]);
    expect(fromBundle.status).toBe(0);
    expect(fromBundle.stdout.toString()).toBe(wasm.stdout.toString());
    expect(wasm.stdout.toString()).toBe(reference.stdout.toString());
    expect(wasm.stdout.toString().split("\n").filter((l) => l.endsWith(",allow")).length).toBe(12);
    expect(fromBundle.stderr).toMatch(/engine wasm/);
    expect(reference.stderr).toMatch(/engine reference/);
  });

  it("-o - writes the bundle to stdout; --json prints the statistics as JSON", () => {
    const c = netpol(["compile", "-f", SHOP, "-o", "-", "--json"]);
    expect(c.status).toBe(0);
    expect(c.stdout.subarray(0, 4).toString("latin1")).toBe("NPWB");
    const stats = JSON.parse(c.stderr.trim().split("\n").pop()!) as { bundleBytes: number; pods: number };
    expect(stats.bundleBytes).toBe(c.stdout.length);
    expect(stats.pods).toBe(8);
  });

  it("a corrupted or missing bundle is an input error naming the file", () => {
    const bad = join(dir, "bad.bundle");
    const good = netpol(["compile", "-f", SHOP, "-o", "-"]).stdout;
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 5]! ^= 0x40;
    writeFileSync(bad, corrupt);
    const r = netpol(["eval", "--bundle", bad, "--flows", FLOWS]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.bundle: invalid bundle: bundle checksum mismatch/);
    expect(r.stdout.length).toBe(0);
    const missing = netpol(["eval", "--bundle", join(dir, "nowhere.bundle"), "--flows", FLOWS]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nowhere\.bundle: no such file/);
  });

  it("usage mistakes exit 2 with a reason", () => {
    const out = join(dir, "u.bundle");
    netpol(["compile", "-f", SHOP, "-o", out]);
    const cases: [string[], RegExp][] = [
      [["eval", "--bundle", out, "-f", SHOP, "--flows", FLOWS], /alternatives/],
      [["eval", "--bundle", out, "--engine", "reference", "--flows", FLOWS], /needs the manifests/],
      [["eval", "--bundle", out, "--summary", "--flows", FLOWS], /needs the manifests/],
      [["eval", "--flows", FLOWS], /at least one -f/],
      [["eval", "-f", SHOP, "--flows", FLOWS, "--engine", "fast"], /Allowed choices are wasm, reference/],
      [["compile", "-f", SHOP], /required option '-o, --output <path>'/],
      [["compile", "-o", out], /at least one -f/],
    ];
    for (const [args, message] of cases) {
      const r = netpol(args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(message);
    }
  });

  it("invalid manifests are not compiled and nothing is written", () => {
    const manifest = join(dir, "bad.yaml");
    writeFileSync(manifest, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec:\n  ingress: [{ports: [{port: 0}]}]\n");
    const out = join(dir, "never.bundle");
    const r = netpol(["compile", "-f", manifest, "-o", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: NetworkPolicy default\/x: spec\.ingress\[0\]\.ports\[0\]\.port: Invalid value: 0/);
    expect(() => readFileSync(out)).toThrow();
  });

  it("a flow with mixed address families is a bad row", () => {
    const flows = join(dir, "mixed.csv");
    writeFileSync(flows, "src,dst,protocol,port\n10.0.0.1,10.0.0.2,TCP,80\n10.0.0.1,::1,TCP,80\n");
    const r = netpol(["eval", "-f", SHOP, "--flows", flows]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/mixed\.csv:3: .*different IP families/);
  });
});
