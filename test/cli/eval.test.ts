/**
 * `netpol eval` as a user runs it: the built binary (dist/cli.js, built by `npm test` before
 * the tests run) in a child process, on files in a temporary directory and on standard input.
 * Exit codes: 0 ok, 1 invalid input, 2 usage. Output on stdout is all or nothing for manifests.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;

function netpol(args: readonly string[], input?: string): Run {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, encoding: "utf8", env, timeout: 60_000, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const noStackTrace = (r: Run) => expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at |node:internal|FATAL ERROR/);

const CLUSTER = `apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec:
  containers:
  - name: web
    ports: [{name: http, containerPort: 80}]
status: {phase: Running, podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db}}
status: {phase: Running, podIP: 10.0.0.2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{protocol: TCP, port: 5432}]
`;

/** Four flows, in an order that is neither sorted nor grouped by verdict. */
const FLOWS = `src,dst,protocol,port
10.0.0.1,10.0.0.2,TCP,5432
10.0.0.9,10.0.0.2,TCP,5432
10.0.0.2,10.0.0.1,UDP,53
10.0.0.1,10.0.0.2,SCTP,5432
`;
const VERDICTS = ["allow", "deny", "allow", "deny"];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), "netpol-cli-"));
  write("cluster.yaml", CLUSTER);
  write("flows.csv", FLOWS);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("usage", () => {
  it("--help exits 0 and describes the commands", () => {
    const r = netpol(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: netpol");
    expect(r.stdout).toContain("eval");
  });

  it("eval --help exits 0 and lists its options", () => {
    const r = netpol(["eval", "--help"]);
    expect(r.status).toBe(0);
    for (const option of ["--file", "--flows", "--output", "--strict"]) expect(r.stdout).toContain(option);
  });

  it.each([["--version"], ["-V"]])("%s exits 0 and prints the package version", (flag) => {
    const r = netpol([flag]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(PACKAGE.version);
  });

  it.each([
    ["an unknown option", ["eval", "-f", "cluster.yaml", "--flows", "flows.csv", "--bogus"], "--bogus"],
    ["an unknown top-level option", ["--bogus"], "--bogus"],
    ["a bad -o value", ["eval", "-f", "cluster.yaml", "--flows", "flows.csv", "-o", "xml"], "xml"],
    ["a missing --flows", ["eval", "-f", "cluster.yaml"], "--flows"],
    ["a missing -f", ["eval", "--flows", "flows.csv"], "-f"],
    ["an unknown command", ["evaluate"], "evaluate"],
    ["stdin for both inputs", ["eval", "-f", "-", "--flows", "-"], "standard input"],
  ])("%s exits 2 with a message on stderr and nothing on stdout", (_what, args, mentioned) => {
    const r = netpol(args, "");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error:");
    expect(r.stderr).toContain(mentioned);
  });

  it("a flow file that does not exist is reported, without a crash", () => {
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "missing.csv"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("missing.csv");
    noStackTrace(r);
  });
});

describe("invalid manifests", () => {
  const BAD = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: prod}
spec:
  ingress:
  - form: [{podSelector: {}}]
`;

  it.each(["csv", "jsonl", "table"])("exit 1, errors naming file, line, object and path on stderr, nothing on stdout (-o %s)", (format) => {
    const bad = write("bad.yaml", BAD);
    const r = netpol(["eval", "-f", "cluster.yaml", "-f", bad, "--flows", "flows.csv", "-o", format]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const line = r.stderr.split("\n").find((l) => l.startsWith("error:"));
    expect(line).toContain(`${bad}:6:`);
    expect(line).toContain("NetworkPolicy prod/typo");
    expect(line).toContain("spec.ingress[0].form");
    expect(r.stderr).toMatch(/1 error: nothing evaluated/);
  });

  it("every error of every file is reported, one line each", () => {
    write("bad-a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad_Name}\n");
    write("bad-b.yaml", "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: old, namespace: prod}\n---\nkind: Namespace\nmetadata:\n\tname: tabbed\n");
    const r = netpol(["eval", "-f", "bad-a.yaml", "-f", "bad-b.yaml", "-f", "cluster.yaml", "--flows", "flows.csv"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toHaveLength(3);
    expect(errors).toContainEqual(expect.stringMatching(/^error: bad-a\.yaml:3:\d+: Namespace Bad_Name: metadata\.name: /));
    expect(errors).toContainEqual(expect.stringMatching(/^error: bad-b\.yaml:2:\d+: NetworkPolicy prod\/old: kind: .*extensions\/v1beta1/));
    expect(errors).toContainEqual(expect.stringMatching(/^error: bad-b\.yaml:7:1: .*[Tt]ab/));
    expect(r.stderr).toContain("3 errors: nothing evaluated");
  });

  it("a manifest file that does not exist is named once", () => {
    const r = netpol(["eval", "-f", "nowhere.yaml", "--flows", "flows.csv"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n").filter((l) => l.includes("nowhere.yaml"))).toHaveLength(1);
    expect(r.stderr).toContain("1 error: nothing evaluated");
  });

  it("binary input fails cleanly", () => {
    writeFileSync(join(dir, "binary.yaml"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]));
    const r = netpol(["eval", "-f", "binary.yaml", "--flows", "flows.csv"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("binary.yaml");
    noStackTrace(r);
  });

  it("20,000 levels of nesting fail cleanly", () => {
    for (const [name, text] of [
      ["deep.yaml", `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`],
      ["deep.json", `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`],
      ["compact.yaml", `${"- ".repeat(20_000)}x\n`],
    ] as const) {
      write(name, text);
      const r = netpol(["eval", "-f", name, "--flows", "flows.csv"]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`error: ${name}:1:`);
      noStackTrace(r);
    }
  });

  it("warnings go to stderr and do not stop the evaluation", () => {
    write("implicit.yaml", CLUSTER.split("---\n").slice(1).join("---\n"));
    const r = netpol(["eval", "-f", "implicit.yaml", "--flows", "flows.csv"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: implicit\.yaml: Pod prod\/web: metadata\.namespace: .*"prod"/m);
    expect(r.stdout.split("\n")[0]).toBe("src,dst,protocol,port,verdict");
  });
});

describe("output", () => {
  const csvVerdicts = (stdout: string) => stdout.trimEnd().split("\n").slice(1).map((l) => l.split(",")[4]);

  it("-o csv: the header, then one row per flow in input order", () => {
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "flows.csv", "-o", "csv"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        "src,dst,protocol,port,verdict",
        "10.0.0.1,10.0.0.2,TCP,5432,allow",
        "10.0.0.9,10.0.0.2,TCP,5432,deny",
        "10.0.0.2,10.0.0.1,UDP,53,allow",
        "10.0.0.1,10.0.0.2,SCTP,5432,deny",
        "",
      ].join("\n"),
    );
  });

  it("csv is the default", () => {
    expect(netpol(["eval", "-f", "cluster.yaml", "--flows", "flows.csv"]).stdout).toBe(
      netpol(["eval", "-f", "cluster.yaml", "--flows", "flows.csv", "-o", "csv"]).stdout,
    );
  });

  it("-o jsonl: one object per line with keys src, dst, protocol, port, verdict", () => {
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "flows.csv", "-o", "jsonl"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const row of rows) expect(Object.keys(row)).toEqual(["src", "dst", "protocol", "port", "verdict"]);
    expect(rows[0]).toEqual({ src: "10.0.0.1", dst: "10.0.0.2", protocol: "TCP", port: 5432, verdict: "allow" });
    expect(rows.map((row) => row.verdict)).toEqual(VERDICTS);
  });

  it("-o table: a header and aligned rows, no colour when stdout is not a terminal", () => {
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "flows.csv", "-o", "table"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SRC\s+DST\s+PROTO\s+PORT\s+VERDICT$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[4])).toEqual(VERDICTS);
    expect(r.stdout).not.toContain("\x1b");
  });

  it("protocols in any case are read, and written in upper case", () => {
    write("case.csv", "src,dst,protocol,port\n10.0.0.1,10.0.0.2,tcp,5432\n10.0.0.2,10.0.0.1,Udp,53\n10.0.0.1,10.0.0.2,sctp,5432\n");
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "case.csv"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(",")[2])).toEqual(["TCP", "UDP", "SCTP"]);
    expect(csvVerdicts(r.stdout)).toEqual(["allow", "allow", "deny"]);
  });

  it("blank lines, # comments and CRLF line ends are skipped", () => {
    write("commented.csv", "# a comment before the header\r\n\r\nsrc,dst,protocol,port\r\n\r\n# one flow\r\n   \r\n10.0.0.1,10.0.0.2,TCP,5432\r\n  # indented comment\r\n10.0.0.9,10.0.0.2,TCP,5432\r\n");
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "commented.csv"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("src,dst,protocol,port,verdict\n10.0.0.1,10.0.0.2,TCP,5432,allow\n10.0.0.9,10.0.0.2,TCP,5432,deny\n");
  });

  it("the closing count line goes to stderr", () => {
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "flows.csv", "-o", "jsonl"]);
    const last = r.stderr.trimEnd().split("\n").at(-1);
    expect(last).toMatch(/^4 flows: 2 allowed, 2 denied \(/);
    expect(r.stdout).not.toContain("flows:");
  });

  it("a header-only flow file evaluates nothing and succeeds", () => {
    write("empty-flows.csv", "src,dst,protocol,port\n");
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "empty-flows.csv"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("src,dst,protocol,port,verdict\n");
    expect(r.stderr).toMatch(/^0 flows: 0 allowed, 0 denied/m);
  });

  it("a non-terminal stderr gets no progress bar or escape codes, even for a large flow file", () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255},10.0.0.2,TCP,5432`);
    write("large.csv", `src,dst,protocol,port\n${rows.join("\n")}\n`);
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "large.csv", "--summary"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(40_001);
    expect(r.stderr).not.toMatch(/[\x1b\r]/);
    expect(r.stdout).not.toMatch(/[\x1b\r]/);
    expect(r.stderr).toMatch(/^40000 flows: /m);
  });
});

describe("sources: standard input and directories", () => {
  it("--flows - reads the flows from stdin", () => {
    const r = netpol(["eval", "-f", "cluster.yaml", "--flows", "-"], FLOWS);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(netpol(["eval", "-f", "cluster.yaml", "--flows", "flows.csv"]).stdout);
  });

  it("-f - reads the manifests from stdin", () => {
    const r = netpol(["eval", "-f", "-", "--flows", "flows.csv", "-o", "jsonl"], CLUSTER);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { verdict: string }).verdict)).toEqual(VERDICTS);
  });

  it("-f - accepts concatenated JSON objects too", () => {
    const objects = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod", labels: { app: "web" } }, status: { phase: "Running", podIP: "10.0.0.1" } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "db", namespace: "prod", labels: { app: "db" } }, status: { phase: "Running", podIP: "10.0.0.2" } },
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "db", namespace: "prod" },
        spec: { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ protocol: "TCP", port: 5432 }] }] },
      },
    ];
    const r = netpol(["eval", "-f", "-", "--flows", "flows.csv"], objects.map((o) => JSON.stringify(o, null, 2)).join("\n"));
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(",")[4])).toEqual(VERDICTS);
  });

  it("errors in manifests from stdin name <stdin>", () => {
    const r = netpol(["eval", "-f", "-", "--flows", "flows.csv"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, lables: {}}\n");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: <stdin>:3:\d+: Namespace prod: metadata\.lables: /m);
  });

  it("-f DIR reads the *.yaml, *.yml and *.json files below it, and nothing else", () => {
    const [cluster, policy] = [CLUSTER.slice(0, CLUSTER.lastIndexOf("---\n")), CLUSTER.slice(CLUSTER.lastIndexOf("---\n") + 4)];
    mkdirSync(join(dir, "tree", "policies"), { recursive: true });
    write("tree/cluster.yaml", cluster);
    write("tree/policies/db.yml", policy);
    write("tree/notes.txt", "not: [a manifest\n");
    const r = netpol(["eval", "-f", "tree", "--flows", "flows.csv"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(",")[4])).toEqual(VERDICTS);
  });
});
