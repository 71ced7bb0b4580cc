/** `netpol eval --threads N`: the same bytes on stdout as one thread; misuse exits 2. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const SHOP = fileURLToPath(new URL("../../examples/shop/", import.meta.url));
let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "netpol-threads-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const netpol = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 28 });

describe("netpol eval --threads", () => {
  it("writes exactly what one thread writes, across several chunks", () => {
    const base = ["10.244.1.20,10.244.2.30,TCP,5432", "10.244.1.10,10.244.2.30,TCP,5432", "fd00:10:244:5::3c,fd00:10:244:1::a,TCP,8080", "198.51.100.7,10.244.1.10,TCP,22"];
    const lines = ["src,dst,protocol,port", ...Array.from({ length: 150_000 }, (_, i) => base[i % base.length]!)];
    const flows = join(dir, "flows.csv");
    writeFileSync(flows, `${lines.join("\n")}\n`);
    const one = netpol(["eval", "-f", SHOP, "--flows", flows]);
    const three = netpol(["eval", "-f", SHOP, "--flows", flows, "--threads", "3"]);
    expect(three.status).toBe(0);
    expect(three.stdout.length).toBeGreaterThan(1_000_000);
    expect(three.stdout === one.stdout).toBe(true);
  });

  it("refuses a bad thread count, and threads with the reference engine", () => {
    const flows = join(SHOP, "flows.csv");
    for (const [args, message] of [
      [["--threads", "0"], /whole number/],
      [["--threads", "two"], /whole number/],
      [["--threads", "2", "--engine", "reference"], /wasm engine only/],
    ] as const) {
      const r = netpol(["eval", "-f", SHOP, "--flows", flows, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
