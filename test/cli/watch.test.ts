/** `netpol eval --watch`: evaluates again when a manifest changes, survives a bad edit, stops on Ctrl-C. */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, SHOP, netpol } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "netpol-watch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("netpol eval --watch", () => {
  it("prints the verdicts again after each change, keeps going after a bad one, exits 0 on SIGINT", async () => {
    cpSync(SHOP, join(dir, "shop"), { recursive: true });
    const flows = join(dir, "flows.csv");
    writeFileSync(flows, "src,dst,protocol,port\n10.244.1.20,10.244.2.30,TCP,5432\n");
    const child = spawn(process.execPath, [CLI, "eval", "-f", join(dir, "shop"), "--flows", flows, "--watch"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 150 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(ok(), `stdout:\n${out}\nstderr:\n${err}`).toBe(true);
    };
    await until(() => /watching /.test(err));
    expect(out).toBe("src,dst,protocol,port,verdict\n10.244.1.20,10.244.2.30,TCP,5432,allow\n");

    // The database's allowing policy removed: deny.
    const file = join(dir, "shop", "policies.yaml");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.split(/^---$/m).filter((d) => !/name: database\b/.test(d)).join("---"));
    await until(() => (out.match(/5432,deny/g) ?? []).length === 1);
    expect(err).toMatch(/policies\.yaml changed: evaluating again|shop changed: evaluating again/);

    // A bad edit is reported; the watch goes on, and the next good edit is evaluated.
    writeFileSync(file, `${original}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: shop}\nspec: {podSelector: {}, ingress: [{ports: [{port: 70000}]}]}\n`);
    await until(() => /NetworkPolicy shop\/bad/.test(err));
    writeFileSync(file, original);
    await until(() => (out.match(/5432,allow/g) ?? []).length === 2);

    child.kill("SIGINT");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
  }, 30_000);

  it("refuses to watch standard input", () => {
    const r = netpol(["eval", "-f", SHOP, "--flows", "-", "--watch"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--watch needs files/);
  });
});
