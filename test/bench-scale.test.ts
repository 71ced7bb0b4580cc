/**
 * `npm run bench:scale` is a benchmark, not a unit test (the machines are shared and noisy):
 * this proves that its quick sweep runs end to end and writes a report whose charts are
 * well-formed, and holds the chart writer to its axes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineChart, linearTicks, logTicks, si } from "../bench/svg.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const AXES = ["pods", "policies", "cidrs"];
const FIGURES = ["throughput", "compile", "bundle"];
/** The quick sweep has two points per axis; throughput and compile charts draw two series. */
const SERIES = { throughput: 2, compile: 2, bundle: 1 } as const;

/** XML-ish well-formedness: every element closed in order, attribute values quoted. */
function checkTags(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `</${name}>`).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  // Every "<" starts a tag the pattern accepted: nothing malformed slipped past it.
  expect(svg.match(/</g)!.length).toBe([...svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)].length);
}

describe("npm run bench:scale -- --quick", () => {
  let out: string;
  let result: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "netpol-scale-"));
    result = spawnSync(process.execPath, ["--import", "tsx", "bench/scale.ts", "--quick", "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  }, 130_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("runs every point and says so on stdout", () => {
    expect(result.status, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toMatch(/^scale: 4 points \(0 failed\) in [\d.]+ min; wrote .*REPORT\.md and 9 charts\n$/);
  });

  it("writes a report with a table, a growth statement and three charts per axis", () => {
    const report = readFileSync(join(out, "REPORT.md"), "utf8");
    expect(report).toContain("Node.js");
    expect(report).not.toMatch(/NaN|undefined|Infinity|not measured/);
    for (const axis of AXES) {
      for (const figure of FIGURES) expect(report).toContain(`![](${figure}-vs-${axis}.svg)`);
    }
    expect(report.match(/^- Compile time (grows|falls|stays) .* \(slope -?\d+\.\d\d: /gm)).toHaveLength(3);
    expect(report.match(/^\| [\d,]+( \(base\))? \|/gm)).toHaveLength(6);
  });

  it("writes nine small, well-formed SVG charts with one point per sweep value", () => {
    expect(readdirSync(out).filter((f) => f.endsWith(".svg")).sort()).toEqual(FIGURES.flatMap((f) => AXES.map((a) => `${f}-vs-${a}.svg`)).sort());
    for (const figure of FIGURES) {
      for (const axis of AXES) {
        const svg = readFileSync(join(out, `${figure}-vs-${axis}.svg`), "utf8");
        expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
        expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
        expect(svg.length).toBeLessThan(8_000);
        expect(svg).not.toMatch(/NaN|undefined|Infinity/);
        checkTags(svg);
        const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => m[1]!.trim().split(/\s+/));
        expect(lines).toHaveLength(SERIES[figure as keyof typeof SERIES]);
        for (const pts of lines) {
          expect(pts).toHaveLength(2);
          for (const p of pts) expect(p).toMatch(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/);
        }
      }
    }
  });
});

describe("lineChart", () => {
  const series = [{ label: "a & b", points: [[1_000, 5], [10_000, 50], [2_000, 10]] as [number, number][] }];

  it("puts points in x order, inside the plot, on a log or a linear y axis", () => {
    for (const yScale of ["log", "linear"] as const) {
      const svg = lineChart({ title: "t", xTitle: "x", yTitle: "y", yScale, series });
      const pts = /points="([^"]*)"/.exec(svg)![1]!.split(" ").map((p) => p.split(",").map(Number) as [number, number]);
      expect(pts.map(([x]) => x)).toEqual([...pts.map(([x]) => x)].sort((a, b) => a - b));
      for (const [x, y] of pts) {
        expect(x).toBeGreaterThanOrEqual(72);
        expect(x).toBeLessThanOrEqual(620);
        expect(y).toBeGreaterThanOrEqual(52);
        expect(y).toBeLessThanOrEqual(308);
      }
      // y grows with x: screen y falls.
      expect(pts[0]![1]).toBeGreaterThan(pts[2]![1]);
      expect(svg).toContain("a &amp; b");
    }
  });

  it("refuses what it cannot draw", () => {
    expect(() => lineChart({ title: "t", xTitle: "x", yTitle: "y", yScale: "log", series: [{ label: "s", points: [[1, 0]] }] })).toThrow(/lineChart: "t": s: y 0 cannot be drawn on a log axis/);
    expect(() => lineChart({ title: "t", xTitle: "x", yTitle: "y", yScale: "linear", series: [{ label: "s", points: [[0, 1]] }] })).toThrow(/x must be a positive number/);
    expect(() => lineChart({ title: "t", xTitle: "x", yTitle: "y", yScale: "linear", series: [{ label: "s", points: [[1, Number.NaN]] }] })).toThrow(RangeError);
  });

  it("ticks cover the data with round numbers", () => {
    expect(logTicks(23, 78)).toEqual([20, 30, 40, 50, 60, 70, 80]);
    expect(logTicks(3, 800)).toEqual([2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    expect(logTicks(4_000, 60e6)).toEqual([1e3, 1e4, 1e5, 1e6, 1e7, 1e8]);
    expect(logTicks(30, 30)).toEqual([30, 40]);
    expect(linearTicks(3, 47)).toEqual([0, 10, 20, 30, 40, 50]);
    expect([si(1_000), si(50_000), si(1_234_567), si(0.25)]).toEqual(["1k", "50k", "1.23M", "0.25"]);
  });
});
