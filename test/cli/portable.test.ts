/**
 * Bundles are portable: the bytes depend on the input alone (not on the time zone, the locale or
 * the process), and a bundle saved to a file decides in another process exactly as the engine
 * that compiled it. (Policies are numbered in input order, so the same policies given in another
 * file order make a bundle with the same verdicts and other rule numbers.)
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compileSync } from "../../src/engine/engine.js";
import { loadPaths } from "../../src/model/files.js";
import { SHOP, netpol } from "./run.js";

const ADMIN = fileURLToPath(new URL("../../examples/admin/admin-policies.yaml", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "netpol-portable-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("portable bundles", () => {
  it("compile writes the same bytes in any time zone and locale, in any process, as the library does", async () => {
    const inProcess = compileSync((await loadPaths([SHOP, ADMIN])).cluster).bundle();
    const settings = [
      { TZ: "UTC", LANG: "C", LC_ALL: "C" },
      { TZ: "Pacific/Chatham", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" }, // dotless i: a classic toLowerCase trap
      { TZ: "America/St_Johns", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" },
    ];
    for (const [i, env] of settings.entries()) {
      const out = join(dir, `shop-${i}.npwb`);
      const r = netpol(["compile", "-f", SHOP, "-f", ADMIN, "-o", out, "-q"], { env });
      expect(r.status, r.stderr).toBe(0);
      expect(sha(readFileSync(out)), JSON.stringify(env)).toBe(sha(inProcess));
    }
  });

  it("a saved bundle decides and explains in another process exactly as the compiling engine", () => {
    const bundle = join(dir, "saved.npwb");
    expect(netpol(["compile", "-f", SHOP, "-f", ADMIN, "-o", bundle, "-q"]).status).toBe(0);
    const flows = join(SHOP, "flows.csv");
    for (const output of ["csv", "jsonl"]) {
      const direct = netpol(["eval", "-f", SHOP, "-f", ADMIN, "--flows", flows, "--explain", "-o", output]);
      const saved = netpol(["eval", "--bundle", bundle, "--flows", flows, "--explain", "-o", output], { env: { TZ: "Asia/Kathmandu", LC_ALL: "tr_TR.UTF-8" } });
      expect(saved.status, saved.stderr).toBe(0);
      expect(saved.stdout).toBe(direct.stdout);
      expect(direct.stdout.split("\n").length).toBeGreaterThan(20);
    }
  });
});
