/**
 * `netpol matrix`: who can reach whom, pods × pods per port, in the form of the upstream e2e
 * truth tables (rows sources, columns destinations, `.` allowed, `X` denied), grouped by
 * namespace; CSV and JSON for scripts; one self-contained HTML page with a heat-map per port
 * and every cell's reasons on hover.
 */
import { compile } from "../engine/engine.js";
import { loadPaths } from "../model/files.js";
import type { Pod, Protocol } from "../model/types.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";
import { CELL_ALLOW, CELL_DENY, CELL_NONE, type Matrix, type PortSpec, computeMatrix, mentionedPorts, referenceMatrix, specLabel } from "../report/matrix.js";
import { engineLabel, labelled, policyNamer } from "./deciders.js";
import type { Io } from "./io.js";
import { InputError, UsageError } from "./io.js";
import { BufferedWriter, paint, printDiagnostics } from "./output.js";

export const MATRIX_FORMATS = ["table", "csv", "json", "html"] as const;
export type MatrixFormat = (typeof MATRIX_FORMATS)[number];

export interface MatrixOptions {
  readonly file: readonly string[];
  readonly ports?: string;
  readonly namespace: readonly string[];
  readonly output: MatrixFormat;
  readonly strict: boolean;
  readonly quiet: boolean;
  readonly maxCells: string;
  readonly engine: "wasm" | "reference";
}

const mark = (cell: number) => (cell === CELL_ALLOW ? "." : cell === CELL_DENY ? "X" : "-");

export async function runMatrix(opts: MatrixOptions, io: Io): Promise<number> {
  if (opts.file.length === 0) throw new UsageError("matrix needs at least one -f PATH (a file, a directory or - for stdin)");
  const loaded = await loadPaths(opts.file, { strict: opts.strict }, io.stdin);
  printDiagnostics(loaded.warnings.filter((d) => !opts.quiet || d.severity === "warning"), io.stderr);
  const { cluster } = loaded;
  for (const ns of opts.namespace) {
    if (!cluster.namespaces.some((n) => n.name === ns)) throw new UsageError(`--namespace ${ns}: no such namespace (there are: ${cluster.namespaces.map((n) => n.name).join(", ")})`);
  }
  const pods = cluster.pods
    .filter((p) => p.ips.length > 0 && (opts.namespace.length === 0 || opts.namespace.includes(p.namespace)))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  if (pods.length === 0) throw new UsageError("no pods with addresses to tabulate");
  const specs = opts.ports === undefined ? mentionedPorts(cluster.policies, cluster.adminPolicies, cluster.pods) : parsePorts(opts.ports);
  if (specs.length === 0) throw new UsageError("the policies mention no ports: name some with --ports 80/TCP,53/UDP");
  const limit = Number(opts.maxCells);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--max-cells takes a whole number, got ${JSON.stringify(opts.maxCells)}`);
  const total = pods.length * pods.length * specs.length;
  if (total > limit) {
    throw new UsageError(`${pods.length} pods × ${pods.length} pods × ${specs.length} ports = ${total} cells, more than --max-cells ${limit}: narrow it with --namespace or --ports, or raise --max-cells`);
  }
  const engine = opts.engine === "wasm" ? await compile(cluster) : undefined;
  const ref = engine ? undefined : new ReferenceEvaluator(cluster);
  const names = policyNamer(cluster);
  const out = new BufferedWriter(io.stdout);
  const started = performance.now();
  let computing = 0;
  const page = opts.output === "html" ? new HtmlPage(pods, io) : undefined;
  if (opts.output === "table") await out.write(`columns: ${pods.map((p, j) => `${j + 1} ${podLabel(p)}`).join(", ")}\n`);
  if (opts.output === "csv") await out.write(`port,src,${pods.map(podLabel).join(",")}\n`);
  if (opts.output === "json") await out.write(`{"pods":${JSON.stringify(pods.map(podLabel))},"legend":${JSON.stringify(LEGEND)},"ports":[`);
  if (page) await out.write(page.head());
  // One port at a time: computed, written, let go (2,000 pods are 4 million cells per port).
  for (const [k, spec] of specs.entries()) {
    const t = performance.now();
    const reasons = page !== undefined && page.wantsReasons();
    // The reason codes of the matrix, as text: the engine's codes, or the reference's labels.
    let m: Matrix;
    let reasonText: (code: number) => string;
    if (engine) {
      m = computeMatrix(engine, pods, pods, spec, { reasons });
      reasonText = (code) => engineLabel(engine, code).label;
    } else {
      const r = referenceMatrix(ref!, pods, pods, spec, (reason) => labelled(reason, names).label, { reasons });
      m = r;
      reasonText = (code) => r.labels[code]!;
    }
    computing += performance.now() - t;
    if (opts.output === "table") await table(m, out, io);
    else if (opts.output === "csv") await csv(m, out);
    else if (opts.output === "json") await out.write(`${k > 0 ? "," : ""}${JSON.stringify(portJson(m))}`);
    else await out.write(page!.port(m, reasonText));
    const c = counts(m);
    io.stderr.write(`${specLabel(m.spec)}: ${c.allow} allowed, ${c.deny} denied${c.none ? `, ${c.none} not applicable` : ""}\n`);
  }
  if (opts.output === "json") await out.write("]}\n");
  if (page) await out.write(page.tail());
  await out.flush();
  await engine?.close();
  const cells = pods.length * pods.length * specs.length;
  io.stderr.write(`${pods.length} pods × ${pods.length} pods × ${specs.length} port${specs.length === 1 ? "" : "s"} = ${cells} cells: ${(computing / 1000).toFixed(2)} s deciding, ${((performance.now() - started) / 1000).toFixed(2)} s in all\n`);
  return 0;
}

const LEGEND = { ".": "allowed", X: "denied", "-": "not applicable (no common address family, or a named port the destination lacks)" };

/** "80/TCP,53/UDP,http" (protocol TCP when left out; a name is resolved on each destination pod). */
export function parsePorts(text: string): PortSpec[] {
  return text.split(",").map((part) => {
    const m = /^\s*([A-Za-z0-9-]+)(?:\/([A-Za-z]+))?\s*$/.exec(part);
    const protocol = (m?.[2] ?? "TCP").toUpperCase() as Protocol;
    if (!m || !["TCP", "UDP", "SCTP"].includes(protocol)) throw new UsageError(`--ports ${JSON.stringify(part)}: expected PORT[/PROTOCOL], e.g. 80/TCP, 53/UDP or http`);
    if (/^\d+$/.test(m[1]!)) {
      const port = Number(m[1]);
      if (port < 1 || port > 65535) throw new UsageError(`--ports ${part}: ${port} is not in 1..65535`);
      return { protocol, port };
    }
    return { protocol, name: m[1]! };
  });
}

const podLabel = (p: Pod) => `${p.namespace}/${p.name}`;

function counts(m: Matrix) {
  const c = { allow: 0, deny: 0, none: 0 };
  for (const v of m.cells) {
    if (v === CELL_ALLOW) c.allow++;
    else if (v === CELL_DENY) c.deny++;
    else c.none++;
  }
  return c;
}

/** Destinations as numbered columns (the legend printed first), one character per cell, a space between namespaces. */
async function table(m: Matrix, out: BufferedWriter, io: Io): Promise<void> {
  const pods = m.sources;
  const gap = pods.map((p, j) => j > 0 && pods[j - 1]!.namespace !== p.namespace);
  const width = Math.max(...pods.map((p) => podLabel(p).length));
  const digits = String(pods.length).length;
  await out.write(`\n${specLabel(m.spec)}   (rows: sources; columns: destinations; . allowed, X denied, - not applicable)\n`);
  for (let d = digits - 1; d >= 0; d--) {
    const line = pods.map((_, j) => `${gap[j] ? " " : ""}${d === 0 || j + 1 >= 10 ** d ? String(Math.floor((j + 1) / 10 ** d) % 10) : " "}`).join("");
    await out.write(`${" ".repeat(width)}  ${line}\n`);
  }
  const dot = paint("green", ".", io.stdout);
  const cross = paint("red", "X", io.stdout);
  for (let i = 0; i < pods.length; i++) {
    let row = "";
    for (let j = 0; j < pods.length; j++) {
      const c = m.cells[i * pods.length + j]!;
      row += `${gap[j] ? " " : ""}${c === CELL_ALLOW ? dot : c === CELL_DENY ? cross : "-"}`;
    }
    await out.write(`${podLabel(pods[i]!).padEnd(width)}  ${row}\n`);
  }
}

async function csv(m: Matrix, out: BufferedWriter): Promise<void> {
  const pods = m.sources;
  for (let i = 0; i < pods.length; i++) {
    let row = `${specLabel(m.spec)},${podLabel(pods[i]!)}`;
    for (let j = 0; j < pods.length; j++) row += `,${mark(m.cells[i * pods.length + j]!)}`;
    await out.write(`${row}\n`);
  }
}

function portJson(m: Matrix) {
  const n = m.destinations.length;
  return { port: specLabel(m.spec), ...counts(m), rows: m.sources.map((_, i) => Array.from(m.cells.subarray(i * n, (i + 1) * n), mark).join("")) };
}

/** Reasons are embedded while the page stays under this many runs of equal reasons (about 8 bytes each). */
const REASON_RUN_BUDGET = 4_000_000;

/**
 * The HTML page, written port by port. Each port is one run-length list of reason-pair numbers
 * per cell (pair 0: not applicable), which also gives the verdict; past the budget, ports carry
 * 2-bit verdicts only and hover names the \`netpol explain\` command for the cell instead.
 */
class HtmlPage {
  private runs = 0;
  private warned = false;

  constructor(private readonly pods: readonly Pod[], private readonly io: Io) {}

  wantsReasons(): boolean {
    return this.runs < REASON_RUN_BUDGET;
  }

  head(): string {
    const groups: [string, number][] = [];
    this.pods.forEach((p, i) => {
      if (groups[groups.length - 1]?.[0] !== p.namespace) groups.push([p.namespace, i]);
    });
    const meta = JSON.stringify({ pods: this.pods.map(podLabel), groups }).replace(/</g, "\\u003c");
    return `${PAGE_HEAD}<script>const D=${meta};</script>\n${PAGE_SCRIPT}`;
  }

  port(m: Matrix, reason: (code: number) => string): string {
    const label = specLabel(m.spec);
    const c = counts(m);
    let data: Record<string, unknown>;
    if (m.reasons) {
      // Pair 0 is "not applicable"; every other pair carries its verdict beside its two reasons.
      const n = m.cells.length;
      const values = new Uint32Array(n);
      for (let k = 0; k < n; k++) values[k] = m.cells[k] === CELL_NONE ? 0 : m.reasons.index[k]! + 1;
      const encoded = runs(values);
      this.runs += encoded.length / 2;
      const verdictOf = new Map<number, number>();
      for (let k = 0; k < n; k++) if (values[k]) verdictOf.set(values[k]!, m.cells[k]!);
      const pairs = [null, ...m.reasons.pairs.map(([e, i], p) => [verdictOf.get(p + 1) ?? 1, reason(e), reason(i)])];
      data = { label, counts: c, pairs, runs: Buffer.from(encoded.buffer).toString("base64") };
    } else {
      if (!this.warned) this.io.stderr.write(`notice: the page holds reasons for the first ports only (it would grow past ~${(REASON_RUN_BUDGET * 8) / 1e6} MB); hover gives the netpol explain command for later ones. Fewer --ports keep them all.\n`);
      this.warned = true;
      const bits = new Uint8Array(Math.ceil(m.cells.length / 4));
      m.cells.forEach((v, k) => (bits[k >> 2]! |= v << ((k & 3) * 2)));
      data = { label, counts: c, bits: Buffer.from(bits).toString("base64") };
    }
    return `<script>add(${JSON.stringify(data).replace(/</g, "\\u003c")});</script>\n`;
  }

  tail(): string {
    return "</body></html>\n";
  }
}

/** Runs of equal numbers as [value, length, value, length, …]. */
function runs(values: Uint32Array): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i + 1;
    while (j < values.length && values[j] === values[i]) j++;
    out.push(values[i]!, j - i);
    i = j;
  }
  return Uint32Array.from(out);
}

const PAGE_HEAD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>netpol matrix</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h2{font-size:1.05em;margin:1.2em 0 .3em}
.port{display:inline-block;vertical-align:top;margin-right:2em}
canvas{image-rendering:pixelated;border:1px solid #999;cursor:crosshair}
#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #888;padding:.4em .6em;font-size:12px;display:none;max-width:44em;box-shadow:0 2px 6px #0003}
.legend span{display:inline-block;width:1em;height:1em;vertical-align:middle;margin:0 .3em 0 1em}
.counts{font-size:11px;color:#555}
</style></head><body>
<h1>Who can reach whom</h1>
<p class="legend">Rows: sources · columns: destinations · <span style="background:#2e9d4f"></span>allowed <span style="background:#d33c3c"></span>denied <span style="background:#ddd"></span>not applicable · lines separate namespaces · hover a cell for its reasons (egress of the source, ingress of the destination)</p>
<div id="maps"></div><div id="tip"></div>
`;

const PAGE_SCRIPT = `<script>
const N=D.pods.length,S=Math.max(1,Math.min(8,Math.floor(900/N))),tip=document.getElementById("tip"),COL=[[211,60,60],[46,157,79],[221,221,221]];
const b64=s=>Uint8Array.from(atob(s),c=>c.charCodeAt(0));
function add(p){
  let verdict,why;
  if(p.runs){const r=new Uint32Array(b64(p.runs).buffer),pair=new Uint32Array(N*N);for(let k=0,a=0;k<r.length;k+=2){pair.fill(r[k],a,a+r[k+1]);a+=r[k+1];}
    verdict=k=>pair[k]?p.pairs[pair[k]][0]:2;why=k=>pair[k]?"egress: "+p.pairs[pair[k]][1]+" · ingress: "+p.pairs[pair[k]][2]:"";}
  else{const b=b64(p.bits);verdict=k=>(b[k>>2]>>((k&3)*2))&3;why=k=>"why: netpol explain --from "+D.pods[Math.floor(k/N)]+" --to "+D.pods[k%N]+" --port "+p.label.replace("/"," --protocol ");}
  const box=document.createElement("div");box.className="port";
  const h=document.createElement("h2");h.textContent=p.label;const c=document.createElement("div");c.className="counts";
  c.textContent=p.counts.allow+" allowed, "+p.counts.deny+" denied"+(p.counts.none?", "+p.counts.none+" not applicable":"");
  const cv=document.createElement("canvas");cv.width=N*S;cv.height=N*S;box.append(h,c,cv);document.getElementById("maps").appendChild(box);
  const ctx=cv.getContext("2d"),img=ctx.createImageData(N*S,N*S);
  for(let i=0;i<N*S;i++)for(let j=0;j<N*S;j++){const col=COL[verdict(Math.floor(i/S)*N+Math.floor(j/S))],o=4*(i*N*S+j);img.data[o]=col[0];img.data[o+1]=col[1];img.data[o+2]=col[2];img.data[o+3]=255;}
  ctx.putImageData(img,0,0);ctx.strokeStyle="#000a";ctx.lineWidth=1;
  for(const g of D.groups.slice(1)){ctx.beginPath();ctx.moveTo(g[1]*S+.5,0);ctx.lineTo(g[1]*S+.5,N*S);ctx.moveTo(0,g[1]*S+.5);ctx.lineTo(N*S,g[1]*S+.5);ctx.stroke();}
  cv.onmousemove=e=>{const r=cv.getBoundingClientRect(),j=Math.floor((e.clientX-r.left)*cv.width/r.width/S),i=Math.floor((e.clientY-r.top)*cv.height/r.height/S);
    if(i<0||j<0||i>=N||j>=N){tip.style.display="none";return;}
    const k=i*N+j,v=verdict(k),t=document.createElement("div"),w=document.createElement("div");
    t.textContent=D.pods[i]+" → "+D.pods[j]+"  "+p.label+": "+(v===1?"allowed":v===0?"denied":"not applicable");w.textContent=v===2?"":why(k);
    tip.replaceChildren(t,w);tip.style.display="block";tip.style.left=(e.clientX+14)+"px";tip.style.top=(e.clientY+14)+"px";};
  cv.onmouseleave=()=>{tip.style.display="none";};
}
</script>
`;
