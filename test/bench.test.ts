/**
 * Benchmarks are not unit tests (the machines are shared and noisy): this only proves that
 * `npm run bench` runs end to end, in its quick mode, and reports every figure.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

describe("npm run bench -- --quick", () => {
  it("runs and reports every figure as a number", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "bench/suite.ts", "--quick", "--json"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const { rows } = JSON.parse(r.stdout) as { rows: { scenario: string; figure: string; value: number }[] };
    const figures = rows.map((row) => row.figure);
    for (const f of ["compile", "bundle", "decideBatch", "reference evaluator", "decideBatch ÷ reference", "IPv6 extra cost", "decide() per flow", "batches of 256 flows"]) {
      expect(figures).toContain(f);
    }
    for (const row of rows) expect(Number.isFinite(row.value), row.figure).toBe(true);
    // The admin tiers run beside the plain scenario: compile, bundle, decideBatch, explainBatch.
    const tiered = rows.filter((row) => row.scenario === "SMALL + 8 ANPs + baseline").map((row) => row.figure);
    expect(tiered).toEqual(["compile", "bundle", "decideBatch", "explainBatch"]);
  });
});
