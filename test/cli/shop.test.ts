/**
 * The shop example end to end: the built binary's verdicts for examples/shop/flows.csv equal
 * what the comments in that file say they must be.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const SHOP = fileURLToPath(new URL("../../examples/shop", import.meta.url));
const FLOWS = `${SHOP}/flows.csv`;

function netpol(args: readonly string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/** Every flow of examples/shop/flows.csv, in file order, with the verdict its comment gives. */
const EXPECTED: readonly (readonly [flow: string, verdict: "allow" | "deny", why: string])[] = [
  ["198.51.100.7,10.244.1.10,TCP,8080", "allow", "the public reaches the storefront's web port (named port web = 8080) over IPv4"],
  ["2001:db8:77::1,fd00:10:244:1::a,TCP,8080", "allow", "… and over IPv6"],
  ["198.51.100.7,10.244.1.10,TCP,22", "deny", "only the web port is public"],
  ["10.244.1.10,10.244.1.20,TCP,8000", "allow", "frontend -> api on http (8000)"],
  ["10.244.1.20,10.244.2.30,TCP,5432", "allow", "api -> database on postgres (5432)"],
  ["10.244.1.10,10.244.2.30,TCP,5432", "deny", "only app-component=api reaches the database: not the frontend"],
  ["198.51.100.7,10.244.2.30,TCP,5432", "deny", "… and not the outside"],
  ["10.244.3.40,10.244.2.30,TCP,5432", "allow", "payments' checkout is labelled app-component=api too, so it may"],
  ["10.244.1.20,10.244.3.40,TCP,8443", "allow", "api -> payments checkout on https (8443)"],
  ["10.244.1.10,10.244.3.40,TCP,8443", "deny", "the frontend may not call payments directly (its egress is isolated)"],
  ["10.244.1.20,203.0.113.10,TCP,443", "allow", "api -> card processor 203.0.113.0/24"],
  ["10.244.1.20,203.0.113.200,TCP,443", "deny", "… except the sandbox half 203.0.113.128/25"],
  ["10.244.1.20,10.244.0.2,UDP,53", "allow", "DNS to coredns over UDP"],
  ["10.244.1.20,10.244.0.2,TCP,53", "allow", "… and TCP"],
  ["10.244.1.20,10.244.0.2,TCP,8080", "deny", "nothing else to kube-system"],
  ["10.244.4.50,10.244.1.20,TCP,9091", "allow", "Prometheus scrapes 9090-9100 in shop"],
  ["10.244.4.50,10.244.2.30,TCP,9187", "deny", "9187 is outside the scrape range"],
  ["192.168.10.11,10.244.1.20,TCP,9091", "deny", "the node exporter (hostNetwork) is an outside address"],
  ["fd00:10:244:5::3c,fd00:10:244::2,UDP,53", "allow", "namespace default has no policies: the IPv6 debug pod reaches coredns"],
  ["fd00:10:244:5::3c,fd00:10:244:1::a,TCP,8080", "allow", "ipBlock ::/0 matches pod addresses too: the storefront's web port"],
  ["fd00:10:244:5::3c,fd00:10:244:1::a,TCP,9090", "deny", "… but not its metrics port"],
];

const rows = (csv: string) => csv.trimEnd().split("\n").slice(1);

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
});

describe("examples/shop", () => {
  it("the expectations cover every flow of flows.csv, in order", () => {
    const flows = readFileSync(FLOWS, "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
    expect(flows.slice(1)).toEqual(EXPECTED.map(([flow]) => flow));
  });

  it("every verdict is the one the comments give", () => {
    const r = netpol(["eval", "-f", SHOP, "--flows", FLOWS, "-o", "csv"]);
    expect(r.status).toBe(0);
    const got = rows(r.stdout).map((row) => {
      const cells = row.split(",");
      const flow = cells.slice(0, 4).join(",");
      return [flow, cells[4], EXPECTED.find(([f]) => f === flow)?.[2]];
    });
    expect(got).toEqual(EXPECTED.map(([flow, verdict, why]) => [flow, verdict, why]));
    expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(/^21 flows: 12 allowed, 9 denied /);
  });

  it("naming the two files, or piping the flows, gives the same bytes", () => {
    const byDir = netpol(["eval", "-f", SHOP, "--flows", FLOWS]).stdout;
    const byFiles = netpol(["eval", "-f", `${SHOP}/cluster.yaml`, "-f", `${SHOP}/policies.yaml`, "--flows", FLOWS]).stdout;
    const piped = netpol(["eval", "-f", SHOP, "--flows", "-"], readFileSync(FLOWS, "utf8")).stdout;
    expect(byFiles).toBe(byDir);
    expect(piped).toBe(byDir);
  });

  it("jsonl and table agree with csv", () => {
    const jsonl = netpol(["eval", "-f", SHOP, "--flows", FLOWS, "-o", "jsonl"]).stdout;
    expect(jsonl.trimEnd().split("\n").map((l) => (JSON.parse(l) as { verdict: string }).verdict)).toEqual(EXPECTED.map(([, v]) => v));
    const table = netpol(["eval", "-f", SHOP, "--flows", FLOWS, "-o", "table"]).stdout;
    expect(rows(table).map((l) => l.trim().split(/\s+/)[4])).toEqual(EXPECTED.map(([, v]) => v));
  });

  it("--summary goes to stderr and leaves stdout byte-identical", () => {
    const plain = netpol(["eval", "-f", SHOP, "--flows", FLOWS]);
    const summarised = netpol(["eval", "-f", SHOP, "--flows", FLOWS, "--summary"]);
    expect(summarised.stdout).toBe(plain.stdout);
    expect(summarised.stderr).toMatch(/^cluster: 5 namespaces, 8 pods \(7 with addresses\), 7 NetworkPolicies$/m);
    expect(summarised.stderr).toMatch(/monitoring\/node-exporter-x2k4\s+hostNetwork/);
  });

  it("loads without warnings: every namespace is declared", () => {
    const r = netpol(["eval", "-f", SHOP, "--flows", FLOWS, "--strict"]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/^(warning|error|notice):/m);
  });
});
