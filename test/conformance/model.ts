/**
 * The conformance world, modelled on the upstream e2e network-policy tests
 * (kubernetes/kubernetes test/e2e/network/netpol): namespaces x, y, z with pods a, b, c in
 * each, every pod serving ports 80 and 81 over TCP, UDP and SCTP on upstream's named
 * container ports (`serve-80-tcp` … `serve-81-sctp`), and expectations written as upstream's
 * truth tables: rows are sources, columns destinations, `.` allow, `X` deny.
 *
 * Beyond upstream, a few labels and one extra named port give the selector and named-port
 * scenarios something to tell apart:
 *
 *   namespaces  x {ns: x, env: prod}    y {ns: y, env: dev}    z {ns: z}  (no env)
 *   pods        a {pod: a, tier: web}   b {pod: b, tier: db}   c {pod: c} (no tier)
 *   port `web`  a 80/TCP                b 81/TCP               c 80/UDP
 *   addresses   <ns>/<pod> = 10.0.<n>.<m>, n: x=1 y=2 z=3, m: a=1 b=2 c=3;
 *               a and b are dual-stack with fd00:0:0:<n>::<m>, c is IPv4-only.
 *
 * The Namespace manifests deliberately omit `kubernetes.io/metadata.name`: the API server
 * (and so the loader) adds it. Every string in the generated YAML is quoted, because YAML 1.1
 * reads a bare `y` as a boolean.
 */
import { expect } from "vitest";
import { loadCluster, type Loaded } from "../../src/model/load.js";
import { type Engine, compileSync } from "../../src/engine/engine.js";
import type { Cluster, Protocol, Verdict } from "../../src/model/types.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";

/** Every engine must satisfy every truth table: the reference evaluator and the WASM core. */
interface Decider {
  decide(src: string, dst: string, protocol: Protocol, port: number): Verdict;
}

export type Family = 4 | 6;
type Labels = Readonly<Record<string, string>>;

export interface ContainerPortManifest {
  readonly name: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

export interface PodManifest {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** status.podIPs; the first is also status.podIP. Empty: no status at all (pending pod). */
  readonly ips: readonly string[];
  readonly hostNetwork?: boolean;
  readonly ports?: readonly ContainerPortManifest[];
}

export const NAMESPACES = ["x", "y", "z"] as const;
export const POD_NAMES = ["a", "b", "c"] as const;

const NAMESPACE_LABELS: Readonly<Record<string, Labels>> = {
  x: { ns: "x", env: "prod" },
  y: { ns: "y", env: "dev" },
  z: { ns: "z" },
};
const POD_LABELS: Readonly<Record<string, Labels>> = {
  a: { pod: "a", tier: "web" },
  b: { pod: "b", tier: "db" },
  c: { pod: "c" },
};
/** `web` resolves differently on each pod, so a test can tell whose ports a name resolved on. */
const WEB_PORT: Readonly<Record<string, ContainerPortManifest>> = {
  a: { name: "web", containerPort: 80, protocol: "TCP" },
  b: { name: "web", containerPort: 81, protocol: "TCP" },
  c: { name: "web", containerPort: 80, protocol: "UDP" },
};

function servePorts(): ContainerPortManifest[] {
  return [80, 81].flatMap((port) =>
    (["TCP", "UDP", "SCTP"] as const).map((protocol) => ({
      name: `serve-${port}-${protocol.toLowerCase()}`,
      containerPort: port,
      protocol,
    })),
  );
}

function standardPod(namespace: string, name: string): PodManifest {
  const n = NAMESPACES.indexOf(namespace as (typeof NAMESPACES)[number]) + 1;
  const m = POD_NAMES.indexOf(name as (typeof POD_NAMES)[number]) + 1;
  const ips = name === "c" ? [`10.0.${n}.${m}`] : [`10.0.${n}.${m}`, `fd00:0:0:${n}::${m}`];
  return { namespace, name, labels: POD_LABELS[name]!, ips, ports: [...servePorts(), WEB_PORT[name]!] };
}

export const STANDARD_PODS: readonly PodManifest[] = NAMESPACES.flatMap((ns) =>
  POD_NAMES.map((pod) => standardPod(ns, pod)),
);

const q = (s: string): string => JSON.stringify(s);
const flow = (labels: Labels): string =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${q(k)}: ${q(v)}`)
    .join(", ")}}`;

function namespaceYaml(name: string): string {
  return ["apiVersion: v1", "kind: Namespace", `metadata: {name: ${q(name)}, labels: ${flow(NAMESPACE_LABELS[name]!)}}`].join(
    "\n",
  );
}

/** One container per port, named the way upstream names them (`cont-80-tcp` serves `serve-80-tcp`). */
function podYaml(p: PodManifest): string {
  const lines = [
    "apiVersion: v1",
    "kind: Pod",
    `metadata: {name: ${q(p.name)}, namespace: ${q(p.namespace)}, labels: ${flow(p.labels)}}`,
    "spec:",
  ];
  if (p.hostNetwork === true) lines.push("  hostNetwork: true");
  lines.push("  containers:");
  const ports = p.ports ?? [];
  if (ports.length === 0) lines.push(`  - name: "main"`);
  for (const port of ports) {
    const container = port.name.startsWith("serve-") ? port.name.replace("serve-", "cont-") : `cont-${port.name}`;
    lines.push(
      `  - name: ${q(container)}`,
      `    ports: [{name: ${q(port.name)}, containerPort: ${port.containerPort}, protocol: ${q(port.protocol)}}]`,
    );
  }
  if (p.ips.length > 0) {
    lines.push(`status: {podIP: ${q(p.ips[0]!)}, podIPs: [${p.ips.map((ip) => `{ip: ${q(ip)}}`).join(", ")}]}`);
  }
  return lines.join("\n");
}

/** The x/y/z cluster (Namespaces and Pods) as multi-document YAML, plus any extra pods. */
export function clusterYaml(extraPods: readonly PodManifest[] = []): string {
  const docs = [...NAMESPACES.map(namespaceYaml), ...[...STANDARD_PODS, ...extraPods].map(podYaml)];
  return docs.join("\n---\n") + "\n";
}

/** A NetworkPolicy manifest; `spec` is YAML (indentation is normalised), `""` means `spec: {}`. */
export function policy(namespace: string, name: string, spec: string): string {
  const body = dedent(spec);
  return [
    "apiVersion: networking.k8s.io/v1",
    "kind: NetworkPolicy",
    `metadata: {name: ${q(name)}, namespace: ${q(namespace)}}`,
    body === "" ? "spec: {}" : `spec:\n${body.replace(/^/gm, "  ")}`,
  ].join("\n");
}

function dedent(text: string): string {
  const lines = text.split("\n");
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  const indents = lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(cut).trimEnd()).join("\n");
}

const familyOf = (ip: string): Family => (ip.includes(":") ? 6 : 4);

interface Probe {
  readonly protocol: Protocol;
  readonly port: number;
}

/** `"TCP/80, UDP/81"`, optionally led by `IPv6` (pods are then addressed by their IPv6 address). */
function parseProbes(text: string): { family: Family; probes: Probe[] } {
  let family: Family = 4;
  const probes: Probe[] = [];
  for (const token of text.split(/[\s,]+/).filter((t) => t !== "")) {
    if (token === "IPv4" || token === "IPv6") {
      family = token === "IPv4" ? 4 : 6;
      continue;
    }
    const m = /^(TCP|UDP|SCTP)\/(\d+)$/.exec(token);
    if (m === null) throw new Error(`conformance: bad probe ${q(token)} in ${q(text)}`);
    probes.push({ protocol: m[1] as Protocol, port: Number(m[2]) });
  }
  if (probes.length === 0) throw new Error(`conformance: no probe in ${q(text)}`);
  return { family, probes };
}

export type Cell = "." | "X" | "!";

/** A truth table: `cells[r][c]` is the verdict from `rows[r]` to `cols[c]`. */
export interface Grid {
  readonly rows: readonly string[];
  readonly cols: readonly string[];
  readonly cells: readonly (readonly Cell[])[];
}

/** Header line = column labels (an optional leading `-` corner); each other line = a row label and its cells. */
export function parseGrid(text: string): Grid {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const cols = lines[0]!.split(/\s+/);
  if (cols[0] === "-") cols.shift();
  const rows: string[] = [];
  const cells: Cell[][] = [];
  for (const line of lines.slice(1)) {
    const [label, ...row] = line.split(/\s+/);
    if (row.length !== cols.length || row.some((c) => c !== "." && c !== "X")) {
      throw new Error(`conformance: grid row ${q(line)} needs ${cols.length} cells of . or X`);
    }
    rows.push(label!);
    cells.push(row as Cell[]);
  }
  return { rows, cols, cells };
}

export function renderGrid(g: Grid): string {
  const width = Math.max(1, ...g.rows.map((r) => r.length));
  const center = (cell: string, w: number) => cell.padStart(Math.floor((w - 1) / 2) + 1).padEnd(w);
  const lines = [
    ["-".padEnd(width), ...g.cols].join(" "),
    ...g.rows.map((r, i) => [r.padEnd(width), ...g.cols.map((c, j) => center(g.cells[i]![j]!, c.length))].join(" ")),
  ];
  return lines.map((l) => l.trimEnd()).join("\n");
}

/** The cluster plus policies, loaded and ready to probe. */
export class World {
  readonly loaded: Loaded;
  private readonly engines: readonly [string, Decider][];
  private readonly pods: ReadonlyMap<string, PodManifest>;

  constructor(policies: readonly string[], extraPods: readonly PodManifest[] = [], tiers?: Pick<Cluster, "adminPolicies" | "nodes">) {
    const sources = [{ file: "cluster.yaml", text: clusterYaml(extraPods) }];
    if (policies.length > 0) sources.push({ file: "policies.yaml", text: policies.join("\n---\n") + "\n" });
    this.loaded = loadCluster(sources);
    const cluster = tiers ? { ...this.loaded.cluster, ...tiers } : this.loaded.cluster;
    this.engines = [
      ["reference", new ReferenceEvaluator(cluster)],
      ["wasm", compileSync(cluster)],
    ];
    this.pods = new Map([...STANDARD_PODS, ...extraPods].map((p) => [`${p.namespace}/${p.name}`, p]));
  }

  /** The reference evaluator of this world (admin tiers included). */
  reference(): ReferenceEvaluator {
    return this.engines[0]![1] as ReferenceEvaluator;
  }

  /** The compiled engine of this world. */
  engine(): Engine {
    return this.engines[1]![1] as Engine;
  }

  /** A grid label: `ns/pod` (that pod's address of the family) or an IP address. */
  address(label: string, family: Family): string {
    const pod = this.pods.get(label);
    if (pod === undefined) {
      if (familyOf(label) !== family) throw new Error(`conformance: ${label} is not an IPv${family} address`);
      return label;
    }
    const ip = pod.ips.find((a) => familyOf(a) === family);
    if (ip === undefined) throw new Error(`conformance: ${label} has no IPv${family} address`);
    return ip;
  }

  /** Computes the grid's rows × columns for one probe; an evaluator exception shows as `!`. */
  actual(expected: Grid, probe: Probe, family: Family, engine: Decider): { grid: Grid; errors: string[] } {
    const errors: string[] = [];
    const cells = expected.rows.map((r) =>
      expected.cols.map((c): Cell => {
        try {
          const v = engine.decide(this.address(r, family), this.address(c, family), probe.protocol, probe.port);
          return v === "allow" ? "." : "X";
        } catch (e) {
          errors.push(`${r} -> ${c}: ${(e as Error).message}`);
          return "!";
        }
      }),
    );
    return { grid: { rows: expected.rows, cols: expected.cols, cells }, errors };
  }

  /**
   * Asserts the truth table for every probe. The table must list every x/y/z pod that has an
   * address of the probed family as a row and as a column; other labels (external addresses,
   * extra pods) are optional extras.
   */
  check(probes: string, table: string): void {
    const { family, probes: list } = parseProbes(probes);
    const expected = parseGrid(table);
    for (const pod of STANDARD_PODS) {
      const label = `${pod.namespace}/${pod.name}`;
      if (!pod.ips.some((ip) => familyOf(ip) === family)) continue;
      if (!expected.rows.includes(label) || !expected.cols.includes(label)) {
        throw new Error(`conformance: the truth table must have ${label} as a row and a column`);
      }
    }
    const diffs: string[] = [];
    const want: string[] = [];
    const got: string[] = [];
    for (const [engineName, engine] of this.engines) for (const probe of list) {
      const name = `${engineName}: ${probe.protocol}/${probe.port} IPv${family}`;
      const { grid, errors } = this.actual(expected, probe, family, engine);
      expected.rows.forEach((r, i) =>
        expected.cols.forEach((c, j) => {
          const e = expected.cells[i]![j]!;
          const a = grid.cells[i]![j]!;
          if (e !== a) diffs.push(`${name}: ${r} -> ${c}: expected ${e}, got ${a}`);
        }),
      );
      diffs.push(...errors.map((e) => `${name}: ${e}`));
      want.push(`${name}\n${renderGrid(expected)}`);
      got.push(`${name}\n${renderGrid(grid)}`);
    }
    const wantText = want.join("\n\n");
    const gotText = got.join("\n\n");
    const message =
      diffs.length === 0
        ? ""
        : `${diffs.length} verdict(s) differ from the truth table:\n  ${diffs.join("\n  ")}\n\n` +
          `expected:\n${wantText}\n\nactual:\n${gotText}\n`;
    expect(gotText, message).toBe(wantText);
  }
}

export function world(policies: readonly string[], extraPods: readonly PodManifest[] = []): World {
  return new World(policies, extraPods);
}

/** The x/y/z world with admin tiers (model objects; decided by the reference evaluator alone for now). */
export function tiered(policies: readonly string[], tiers: Pick<Cluster, "adminPolicies" | "nodes">, extraPods: readonly PodManifest[] = []): World {
  return new World(policies, extraPods, tiers);
}

/**
 * A truth table written as a rule: `cell(src, dst)` says `.` or `X` for every pair of labels
 * (sources as rows). For scenarios whose expectation reads naturally as a sentence.
 */
export function table(rows: readonly string[], cols: readonly string[], cell: (src: string, dst: string) => "." | "X"): string {
  return renderGrid({ rows, cols, cells: rows.map((r) => cols.map((c) => cell(r, c))) });
}

export const ALL_PODS: readonly string[] = NAMESPACES.flatMap((ns) => POD_NAMES.map((p) => `${ns}/${p}`));
