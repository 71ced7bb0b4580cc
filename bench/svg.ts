/**
 * A small SVG line-chart writer for the scale report, with no dependency: a log-scale x axis
 * (sweeps double or triple their axis at each step), a linear or log y axis, ticks, axis titles,
 * a legend and one polyline per series. The output is static (no script, no CSS), on a white
 * background so it stays legible in GitHub's dark theme, and a few KB.
 */

export interface Series {
  readonly label: string;
  /** [x, y] pairs; x > 0, and y > 0 on a log y axis. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartSpec {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly yScale: "linear" | "log";
  readonly series: readonly Series[];
  /** Tick label of a y value (default: SI prefixes, `si`). */
  readonly yFormat?: (v: number) => string;
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ["#1f6feb", "#d1242f", "#1a7f37", "#8250df"];
const MARGIN = { left: 72, right: 20, top: 52, bottom: 52 };

/** 1234 → "1.23k", 50000 → "50k", 0.25 → "0.25": three significant digits at most. */
export function si(v: number): string {
  const prefixes: readonly (readonly [number, string])[] = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
  const [scale, prefix] = prefixes.find(([p]) => Math.abs(v) >= p) ?? [1, ""];
  return `${Number((v / scale).toPrecision(3))}${prefix}`;
}

function ticksWith(mantissas: readonly number[], min: number, max: number): number[] {
  const all: number[] = [];
  for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)) + 1; e++) {
    for (const m of mantissas) all.push(Number((m * 10 ** e).toPrecision(2)));
  }
  const lo = all.filter((t) => t <= min * (1 + 1e-9)).at(-1)!;
  const hi = all.find((t) => t >= max * (1 - 1e-9) && t > lo)!;
  return all.filter((t) => t >= lo && t <= hi);
}

/** Ticks of a log axis covering [min, max]: the finest of 1-2-…-9, 1-2-5 with at most 10 ticks, else one a decade. */
export function logTicks(min: number, max: number): number[] {
  for (const mantissas of [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 5]]) {
    const ticks = ticksWith(mantissas, min, max);
    if (ticks.length <= 10) return ticks;
  }
  return ticksWith([1], min, max);
}

/** Ticks of a linear axis from 0 (or below, for negative data) to just above max, 1-2-5 steps. */
export function linearTicks(min: number, max: number): number[] {
  const lo = Math.min(0, min);
  const raw = (max - lo || 1) / 5;
  const base = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t < max + step; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function guard(spec: ChartSpec): void {
  if (spec.series.length === 0 || spec.series.some((s) => s.points.length === 0)) throw new RangeError(`lineChart: "${spec.title}" needs series with points`);
  for (const s of spec.series) {
    for (const [x, y] of s.points) {
      if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`lineChart: "${spec.title}": ${s.label}: x must be a positive number, got ${x}`);
      if (!Number.isFinite(y) || (spec.yScale === "log" && y <= 0)) throw new RangeError(`lineChart: "${spec.title}": ${s.label}: y ${y} cannot be drawn on a ${spec.yScale} axis`);
    }
  }
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const r1 = (v: number) => Number(v.toFixed(1));

export function lineChart(spec: ChartSpec): string {
  guard(spec);
  const width = spec.width ?? 640;
  const height = spec.height ?? 360;
  const format = spec.yFormat ?? si;
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = spec.series.flatMap((s) => s.points.map(([, y]) => y));
  const yTicks = spec.yScale === "log" ? logTicks(Math.min(...ys), Math.max(...ys)) : linearTicks(Math.min(...ys), Math.max(...ys));
  const plot = { x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top };
  // The x axis spans the sweep's own values, with a little room so end markers are not clipped.
  const [lx0, lx1] = [Math.log(xs[0]!), Math.log(xs.at(-1)!)];
  const pad = (lx1 - lx0 || 1) * 0.04;
  const px = (x: number) => r1(plot.x0 + ((Math.log(x) - lx0 + pad) / (lx1 - lx0 + 2 * pad)) * (plot.x1 - plot.x0));
  const ty = spec.yScale === "log" ? Math.log : (v: number) => v;
  const [ty0, ty1] = [ty(yTicks[0]!), ty(yTicks.at(-1)!)];
  const py = (y: number) => r1(plot.y0 - ((ty(y) - ty0) / (ty1 - ty0 || 1)) * (plot.y0 - plot.y1));

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif" font-size="12">`,
    `<title>${escape(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${plot.x0}" y="22" font-size="14" font-weight="600" fill="#1f2328">${escape(spec.title)}</text>`,
    `<g stroke="#d8dee4" stroke-width="1">`,
    ...yTicks.map((t) => `<line x1="${plot.x0}" x2="${plot.x1}" y1="${py(t)}" y2="${py(t)}"/>`),
    ...xs.map((x) => `<line x1="${px(x)}" x2="${px(x)}" y1="${plot.y0}" y2="${plot.y1}"/>`),
    `</g>`,
    `<rect x="${plot.x0}" y="${plot.y1}" width="${plot.x1 - plot.x0}" height="${plot.y0 - plot.y1}" fill="none" stroke="#8c959f"/>`,
    `<g fill="#424a53" text-anchor="end">`,
    ...yTicks.map((t) => `<text x="${plot.x0 - 6}" y="${r1(py(t) + 4)}">${escape(format(t))}</text>`),
    `</g>`,
    `<g fill="#424a53" text-anchor="middle">`,
    ...xs.map((x) => `<text x="${px(x)}" y="${plot.y0 + 18}">${escape(si(x))}</text>`),
    `<text x="${r1((plot.x0 + plot.x1) / 2)}" y="${height - 12}" fill="#1f2328">${escape(spec.xTitle)} (log scale)</text>`,
    `<text transform="translate(16 ${r1((plot.y0 + plot.y1) / 2)}) rotate(-90)" fill="#1f2328">${escape(spec.yTitle)}${spec.yScale === "log" ? " (log scale)" : ""}</text>`,
    `</g>`,
  ];
  spec.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x)},${py(y)}`).join(" ")}"/>`);
    out.push(`<g fill="${color}">${pts.map(([x, y]) => `<circle cx="${px(x)}" cy="${py(y)}" r="3"/>`).join("")}</g>`);
  });
  out.push(...legend(spec.series, plot.x0));
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** A row under the title, outside the plot, so it never hides a point. */
function legend(series: readonly Series[], left: number): string[] {
  const out: string[] = [];
  let x = left;
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    out.push(`<line x1="${x}" x2="${x + 16}" y1="38" y2="38" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${x + 20}" y="42" fill="#1f2328">${escape(s.label)}</text>`);
    // Text cannot be measured here; 6.6 px a character is a safe estimate at 12 px.
    x += Math.ceil(s.label.length * 6.6) + 40;
  });
  return out;
}
