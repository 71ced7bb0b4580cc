/**
 * Bad rows in the flow file: `netpol eval` stops at the first one with exit status 1 and an
 * `error: FILE:LINE: …` line on stderr, LINE being the physical line (comments and blank
 * lines counted).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

let dir: string;

function evalFlows(flows: string, viaStdin = false): { status: number | null; stdout: string; stderr: string } {
  if (!viaStdin) writeFileSync(join(dir, "flows.csv"), flows);
  const args = [CLI, "eval", "-f", "cluster.yaml", "--flows", viaStdin ? "-" : "flows.csv"];
  const r = spawnSync(process.execPath, args, { cwd: dir, input: viaStdin ? flows : "", encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), "netpol-flows-"));
  writeFileSync(join(dir, "cluster.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const HEADER = "src,dst,protocol,port\n";
const GOOD = "10.0.0.1,10.0.0.2,TCP,80\n";

describe("bad flow rows", () => {
  it.each([
    ["a bad source address", "1.2.3.999,10.0.0.2,TCP,80", "src"],
    ["a bad destination address", "10.0.0.1,10.0.0.x,TCP,80", "dst"],
    ["a CIDR instead of an address", "10.0.0.0/24,10.0.0.2,TCP,80", "src"],
    ["an empty address", ",10.0.0.2,TCP,80", "src"],
    ["an unknown protocol", "10.0.0.1,10.0.0.2,ICMP,80", "ICMP"],
    ["an empty protocol", "10.0.0.1,10.0.0.2,,80", "protocol"],
    ["port 0", "10.0.0.1,10.0.0.2,TCP,0", "port"],
    ["port 65536", "10.0.0.1,10.0.0.2,TCP,65536", "port"],
    ["port abc", "10.0.0.1,10.0.0.2,TCP,abc", "port"],
    ["a negative port", "10.0.0.1,10.0.0.2,TCP,-1", "port"],
    ["a fractional port", "10.0.0.1,10.0.0.2,TCP,80.5", "port"],
    ["a port range", "10.0.0.1,10.0.0.2,TCP,80-90", "port"],
    ["too few fields", "10.0.0.1,10.0.0.2,TCP", "4 fields"],
    ["too many fields", "10.0.0.1,10.0.0.2,TCP,80,allow", "4 fields"],
  ])("%s: exit 1 naming the line", (_what, row, phrase) => {
    const r = evalFlows(`${HEADER}${GOOD}${row}\n${GOOD}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: flows\.csv:3: /m);
    expect(r.stderr).toContain(phrase);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("the line number counts comments and blank lines", () => {
    const r = evalFlows(`# flows\n\n${HEADER}# first\n${GOOD}\n\n10.0.0.1,10.0.0.2,TCP,99999\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: flows\.csv:8: port/m);
  });

  it("a bad row read from stdin names <stdin>", () => {
    const r = evalFlows(`${HEADER}10.0.0.1,nowhere,TCP,80\n`, true);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: <stdin>:2: dst/m);
  });

  it("a missing header is reported at the first row", () => {
    const r = evalFlows(`# no header\n${GOOD}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: flows\.csv:2: .*header/m);
  });

  it("a header with the columns in another order is not a header", () => {
    const r = evalFlows(`dst,src,protocol,port\n${GOOD}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: flows\.csv:1: .*header/m);
  });

  it.each([
    ["empty", "", 1],
    ["comment-only", "# nothing\n\n", 2],
  ])("an %s flow file is an error: the header is missing", (_what, text, line) => {
    const r = evalFlows(text);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: flows\\.csv:${line}: .*header`, "m"));
  });

  it("no verdict is printed for the bad row or after it", () => {
    const r = evalFlows(`${HEADER}${GOOD}10.0.0.1,10.0.0.2,TCP,0\n${GOOD}`);
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toMatch(/flows: \d+ allowed/);
  });
});
