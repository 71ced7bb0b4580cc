/** `netpol bench` on the example cluster: every figure present and a number; misuse exits 2. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const SHOP = fileURLToPath(new URL("../../examples/shop/", import.meta.url));
const netpol = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });

describe("netpol bench", () => {
  it("reports load, compile, sizes, throughputs, latency and the reference as JSON", () => {
    const r = netpol(["bench", "-f", SHOP, "--flows", "20000", "--duration", "0.1", "--threads", "2", "-o", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ["loadMs", "compileMs", "bundleBytes", "identities", "cidrClasses", "portClasses", "rows", "batchPerSecond", "parallelPerSecond",
      "singlePerSecond", "latencyP50Ns", "latencyP99Ns", "referencePerSecond", "batchOverReference"]) {
      expect(typeof f[key], key).toBe("number");
      expect(Number.isFinite(f[key] as number), key).toBe(true);
    }
    expect(f.flows).toBe(20000);
    expect(f.threads).toBe(2);
    expect(f.pods).toBe(8);
    expect(Object.keys(f.sections as object)).toContain("ROWS");
  });

  it("measures a flow file when --flows names one, and prints a table by default", () => {
    const r = netpol(["bench", "-f", SHOP, "--flows", `${SHOP}flows.csv`, "--duration", "0.05", "--threads", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/flows measured\s+21\n/);
    expect(r.stdout).toMatch(/decideBatch, 1 thread\s+[\d.]+ M\/s/);
    expect(r.stdout).toMatch(/reference evaluator/);
  });

  it("refuses bad options with exit status 2", () => {
    for (const args of [["--duration", "0"], ["--threads", "x"], ["--flows", "nowhere.csv"], ["-o", "xml"]]) {
      const r = netpol(["bench", "-f", SHOP, ...args]);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
    }
    expect(netpol(["bench", "--flows", "10"]).status).toBe(2);
  });
});
