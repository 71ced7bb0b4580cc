/**
 * `netpol gen` and `netpol gen flows` as a user runs them: the built binary in a child process,
 * writing into a temporary directory. What gen writes, eval reads without a word of complaint;
 * the same seed writes the same bytes; flows are accepted by eval and come in the proportions
 * asked for. Exit codes: 0 ok, 1 invalid input or a file in the way, 2 usage.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPaths } from "../../src/model/files.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const SHOP = fileURLToPath(new URL("../../examples/shop/", import.meta.url));
const FILES = ["namespaces.yaml", "pods.yaml", "networkpolicies.yaml"];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "netpol-gen-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function netpol(args: readonly string[], input?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, encoding: "utf8", timeout: 60_000, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const at = (name: string) => join(dir, name);
const read = (path: string) => readFileSync(path, "utf8");
const csv = (text: string) => text.trim().split("\n").slice(1).map((l) => l.split(","));
const documents = (text: string) => text.split("\n").filter((l) => l === "---").length;

/** Pod endpoint addresses, read with the library: "outside" means none of these. */
async function podAddresses(paths: string[]): Promise<Set<string>> {
  const { cluster } = await loadPaths(paths);
  return new Set(cluster.pods.flatMap((p) => p.ips.map((ip) => ip.text)));
}

/** eval decides every row: none rejected, one verdict per flow. */
function evaluates(manifests: string, flows: string, count: number): Run {
  const r = netpol(["eval", "-f", manifests, "--flows", flows]);
  expect(r.stderr).not.toMatch(/error|warning/);
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split("\n")).toHaveLength(count + 1);
  return r;
}

describe("netpol gen", () => {
  it("writes manifests that eval loads without errors or warnings and decides against", () => {
    const out = at("small");
    const g = netpol(["gen", "--dual-stack", "0.3", "-o", out]);
    expect(g.status).toBe(0);
    expect(g.stderr).toMatch(/^5 namespaces, 200 pods, 20 network policies \(10 external CIDRs, seed 1\) → .*networkpolicies\.yaml \(\d+\.\d\d s\)\n$/);
    expect(readdirSync(out).sort()).toEqual([...FILES].sort());
    expect(read(join(out, "pods.yaml"))).toMatch(/^# netpol gen --namespaces 5 --pods 200 --policies 20 --cidrs 10 --dual-stack 0.3 --seed 1\n---\napiVersion: v1\nkind: Pod\n/);
    expect(documents(read(join(out, "pods.yaml")))).toBe(200);
    const f = netpol(["gen", "flows", "-f", out, "--count", "2000", "-o", at("small.csv")]);
    expect(f.status).toBe(0);
    const verdicts = evaluates(out, at("small.csv"), 2_000).stdout;
    const allowed = verdicts.split("\n").filter((l) => l.endsWith(",allow")).length / 2_000;
    expect(allowed).toBeGreaterThan(0.1);
    expect(allowed).toBeLessThan(0.9);
  });

  it("the same seed writes the same bytes, another seed other bytes; -o - is the three files as one stream", () => {
    for (const [name, seed] of [["s1", "7"], ["s2", "7"], ["s3", "8"]] as const) {
      expect(netpol(["gen", "--pods", "120", "--seed", seed, "-o", at(name)]).status).toBe(0);
    }
    for (const file of FILES) {
      expect(read(at(`s2/${file}`))).toBe(read(at(`s1/${file}`)));
      if (file !== "namespaces.yaml") expect(read(at(`s3/${file}`))).not.toBe(read(at(`s1/${file}`)));
    }
    const stream = netpol(["gen", "--pods", "120", "--seed", "7", "-o", "-"]);
    expect(stream.status).toBe(0);
    const [first, ...rest] = FILES.map((file) => read(at(`s1/${file}`)));
    expect(stream.stdout).toBe(first + rest.map((t) => t.slice(t.indexOf("\n") + 1)).join(""));
    expect(stream.stderr).toMatch(/→ stdout/);
    const fromStdin = netpol(["eval", "-f", "-", "--flows", join(SHOP, "flows.csv")], stream.stdout);
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stderr).not.toMatch(/error|warning/);
  });

  it("--preset sets every count; explicit flags override it", () => {
    const r = netpol(["gen", "--preset", "medium", "--pods", "300", "--policies", "40", "-o", at("medium")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^20 namespaces, 300 pods, 40 network policies \(150 external CIDRs, seed 1\)/);
    expect(documents(read(at("medium/namespaces.yaml")))).toBe(20);
    expect(documents(read(at("medium/networkpolicies.yaml")))).toBe(40);
    const none = netpol(["gen", "--preset", "SMALL", "--policies", "0", "-o", "-"]);
    expect(none.status).toBe(0);
    expect(none.stderr).toMatch(/0 network policies \(0 external CIDRs/);
  });

  it("refuses to overwrite an existing file unless --force", () => {
    const out = at("keep");
    expect(netpol(["gen", "--pods", "30", "-o", out]).status).toBe(0);
    writeFileSync(join(out, "pods.yaml"), "# mine\n");
    const r = netpol(["gen", "--pods", "30", "-o", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/keep\/namespaces\.yaml already exists: pass --force to overwrite it/);
    expect(read(join(out, "pods.yaml"))).toBe("# mine\n");
    expect(netpol(["gen", "--pods", "30", "-o", out, "--force"]).status).toBe(0);
    expect(read(join(out, "pods.yaml"))).toMatch(/^# netpol gen/);
  });
});

describe("netpol gen flows", () => {
  it("draws flows for examples/shop: header, count, proportions, and eval accepts every row", async () => {
    const r = netpol(["gen", "flows", "-f", SHOP, "--count", "20000", "--seed", "4", "-o", "-"]);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith("src,dst,protocol,port\n")).toBe(true);
    expect(r.stderr).toMatch(/^20000 flows \(\d+ pod to pod, \d+ with one side outside the cluster, \d+ IPv6\) → stdout/);
    const flows = csv(r.stdout);
    expect(flows).toHaveLength(20_000);
    const pods = await podAddresses([SHOP]);
    const inside = flows.map(([src, dst]) => Number(pods.has(src!)) + Number(pods.has(dst!)));
    expect(inside.filter((n) => n === 0)).toHaveLength(0);
    expect(inside.filter((n) => n === 2).length / flows.length).toBeCloseTo(0.8, 1);
    expect(flows.filter(([src]) => src!.includes(":")).length / flows.length).toBeCloseTo(0.05, 1);
    const served = new Set(["8080", "9090", "8000", "9091", "5432", "8443", "53", "443"]);
    expect(flows.filter((f) => served.has(f[3]!)).length / flows.length).toBeGreaterThan(0.6);
    writeFileSync(at("shop.csv"), r.stdout);
    evaluates(SHOP, at("shop.csv"), 20_000);
  });

  it("on a generated cluster: the external share asked for, IPv4 only (said on stderr), deterministic", async () => {
    const cluster = at("flows-cluster");
    expect(netpol(["gen", "--pods", "150", "-o", cluster]).status).toBe(0);
    const args = ["gen", "flows", "-f", cluster, "--count", "5000", "--external", "0.5", "--skew", "2"];
    const a = netpol([...args, "--seed", "3", "-o", at("a.csv")]);
    expect(a.status).toBe(0);
    expect(a.stderr).toMatch(/notice: no pod has an IPv6 address: every flow is IPv4/);
    expect(a.stderr).toMatch(/5000 flows \(\d+ pod to pod, \d+ with one side outside the cluster, 0 IPv6\) → .*a\.csv/);
    const flows = csv(read(at("a.csv")));
    expect(flows).toHaveLength(5_000);
    const pods = await podAddresses([cluster]);
    const outside = flows.filter(([src, dst]) => !pods.has(src!) || !pods.has(dst!)).length / flows.length;
    expect(outside).toBeCloseTo(0.5, 1);
    expect(netpol([...args, "--seed", "3", "-q", "-o", at("b.csv")]).stderr).not.toMatch(/notice/);
    expect(read(at("b.csv"))).toBe(read(at("a.csv")));
    netpol([...args, "--seed", "4", "-o", at("c.csv")]);
    expect(read(at("c.csv"))).not.toBe(read(at("a.csv")));
    evaluates(cluster, at("a.csv"), 5_000);
  });

  it("invalid manifests: the loader's diagnostics, exit 1, nothing written", () => {
    const bad = at("bad.yaml");
    writeFileSync(bad, "apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name, namespace: x}\n");
    const r = netpol(["gen", "flows", "-f", bad, "--count", "10", "-o", at("bad.csv")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*bad\.yaml:3:\d+: Pod x\/Bad_Name: metadata\.name: Invalid value/m);
    expect(r.stderr).toMatch(/1 error: nothing evaluated/);
    expect(existsSync(at("bad.csv"))).toBe(false);
    const noPods = netpol(["gen", "flows", "-f", "-", "--count", "10", "-o", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
    expect(noPods.status).toBe(1);
    expect(noPods.stderr).toMatch(/error: no flows to draw: the cluster has no running pod with an address/);
  });

  it("refuses to overwrite the flow file unless --force", () => {
    const out = at("exists.csv");
    writeFileSync(out, "mine\n");
    const r = netpol(["gen", "flows", "-f", SHOP, "--count", "10", "-o", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists\.csv already exists: pass --force to overwrite it/);
    expect(read(out)).toBe("mine\n");
    expect(netpol(["gen", "flows", "-f", SHOP, "--count", "10", "-o", out, "--force"]).status).toBe(0);
    expect(csv(read(out))).toHaveLength(10);
  });
});

describe("netpol gen usage", () => {
  it("usage mistakes exit 2 with a reason, and write nothing", () => {
    const out = at("never");
    const cases: [string[], RegExp][] = [
      [["gen"], /gen needs -o DIR/],
      [["gen", "--pods", "many", "-o", out], /option '--pods <n>' argument 'many' is invalid\. must be a whole number in 0\.\.1000000/],
      [["gen", "--pods", "-3", "-o", out], /'--pods <n>' argument '-3' is invalid/],
      [["gen", "--namespaces", "0", "-o", out], /'--namespaces <n>' argument '0' is invalid\. must be a whole number ≥ 1/],
      [["gen", "--dual-stack", "1.5", "-o", out], /'--dual-stack <fraction>' argument '1\.5' is invalid\. must be a fraction in 0\.\.1/],
      [["gen", "--seed", "x", "-o", out], /'--seed <n>' argument 'x' is invalid/],
      [["gen", "--preset", "HUGE", "-o", out], /Allowed choices are SMALL, MEDIUM, LARGE, XL/],
      [["gen", "--policies", "0", "--cidrs", "3", "-o", out], /--cidrs needs at least one policy/],
      [["gen", "--frobnicate", "-o", out], /unknown option '--frobnicate'/],
      [["gen", "flows", "-f", SHOP, "--count", "10"], /required option '-o, --output <path>' not specified/],
      [["gen", "flows", "-f", SHOP, "-o", "-"], /required option '--count <n>' not specified/],
      [["gen", "flows", "--count", "10", "-o", "-"], /gen flows needs at least one -f PATH/],
      [["gen", "flows", "-f", SHOP, "--count", "1e3", "-o", "-"], /'--count <n>' argument '1e3' is invalid/],
      [["gen", "flows", "-f", SHOP, "--count", "9", "--external", "-0.1", "-o", "-"], /'--external <fraction>' argument '-0\.1' is invalid/],
      [["gen", "flows", "-f", SHOP, "--count", "9", "--ipv6", "2", "-o", "-"], /'--ipv6 <fraction>' argument '2' is invalid/],
      [["gen", "flows", "-f", SHOP, "--count", "9", "--skew", "-1", "-o", "-"], /'--skew <k>' argument '-1' is invalid/],
    ];
    for (const [args, message] of cases) {
      const r = netpol(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stdout, args.join(" ")).toBe("");
    }
    expect(existsSync(out)).toBe(false);
  });

  it("--help explains every option of both commands", () => {
    const gen = netpol(["gen", "--help"]);
    expect(gen.status).toBe(0);
    for (const option of ["--preset", "--namespaces", "--pods", "--policies", "--cidrs", "--dual-stack", "--seed", "--output", "--force", "flows"]) {
      expect(gen.stdout).toContain(option);
    }
    expect(gen.stdout).toMatch(/XL\s+100\s+50000\s+5000\s+1000\s+0\.2/);
    const flows = netpol(["gen", "flows", "--help"]);
    expect(flows.status).toBe(0);
    for (const option of ["--file", "--count", "--external", "--ipv6", "--skew", "--seed", "--output", "--force", "--strict", "--quiet"]) {
      expect(flows.stdout).toContain(option);
    }
  });
});
