/**
 * `netpol matrix`: every cell held to the reference evaluator (verdicts and reasons), the
 * table in the upstream form, CSV/JSON agreeing with it, and the HTML page self-contained, its
 * script run against a stub DOM to check what hovering a cell says.
 */
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { SHOP, netpol } from "./run.js";
import { compileSync } from "../../src/engine/engine.js";
import { loadPaths } from "../../src/model/files.js";
import type { Pod } from "../../src/model/types.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { CELL_ALLOW, CELL_DENY, CELL_NONE, computeMatrix, mentionedPorts, specLabel } from "../../src/report/matrix.js";


const { cluster } = await loadPaths([SHOP]);
const engine = compileSync(cluster);
const ref = new ReferenceEvaluator(cluster);
const pods = cluster.pods.filter((p) => p.ips.length > 0).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
const label = (p: Pod) => `${p.namespace}/${p.name}`;

/** The flow a cell stands for, as the matrix picks it: IPv4 when both pods have it, else IPv6. */
function cellFlow(s: Pod, d: Pod, spec: ReturnType<typeof mentionedPorts>[number]) {
  const port = "port" in spec ? spec.port : d.ports.find((c) => c.name === spec.name && c.protocol === spec.protocol)?.containerPort;
  for (const family of [4, 6] as const) {
    const a = s.ips.find((x) => x.family === family);
    const b = d.ips.find((x) => x.family === family);
    if (a && b && port !== undefined) return { src: a, dst: b, protocol: spec.protocol, port };
  }
  return undefined;
}

describe("matrix cells", () => {
  it("every cell of every port the policies mention is the reference's verdict, with the reference's reasons", () => {
    const specs = mentionedPorts(cluster.policies);
    expect(specs.map(specLabel)).toContain("http/TCP");
    for (const spec of specs) {
      const m = computeMatrix(engine, pods, pods, spec, { reasons: true });
      pods.forEach((s, i) =>
        pods.forEach((d, j) => {
          const k = i * pods.length + j;
          const flow = cellFlow(s, d, spec);
          if (!flow) return expect(m.cells[k]).toBe(CELL_NONE);
          const want = ref.explainFlow(flow);
          expect(m.cells[k]).toBe(want.verdict === "allow" ? CELL_ALLOW : CELL_DENY);
          const [e, g] = m.reasons!.pairs[m.reasons!.index[k]!]!;
          expect({ egress: engine.reason(e), ingress: engine.reason(g) }).toEqual({ egress: want.egress, ingress: want.ingress });
        }),
      );
      expect(computeMatrix(engine, pods, pods, spec).cells).toEqual(m.cells);
    }
  });
});

describe("netpol matrix", () => {
  it("prints the upstream form: rows sources, columns destinations, . and X, namespaces apart", () => {
    const r = netpol(["matrix", "-f", SHOP, "--ports", "5432/TCP"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        "columns: 1 default/debug-v6, 2 kube-system/coredns-7db6, 3 monitoring/prometheus-0, 4 payments/checkout-6f7d, 5 shop/api-5c8b4, 6 shop/database-0, 7 shop/frontend-7d9f8",
        "",
        "5432/TCP   (rows: sources; columns: destinations; . allowed, X denied, - not applicable)",
        "                          1 2 3 4 567",
        "default/debug-v6          . . - - --X",
        "kube-system/coredns-7db6  . . . X XXX",
        "monitoring/prometheus-0   - . . X XXX",
        "payments/checkout-6f7d    - . . . X.X",
        "shop/api-5c8b4            - X X X ..X",
        "shop/database-0           - X X X X.X",
        "shop/frontend-7d9f8       X X X X XX.",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toContain("5432/TCP: 15 allowed, 26 denied, 8 not applicable\n");
  });

  it("CSV and JSON say the same as the table", () => {
    const json = JSON.parse(netpol(["matrix", "-f", SHOP, "--ports", "5432/TCP,53/UDP", "-o", "json"]).stdout) as { pods: string[]; ports: { port: string; rows: string[]; allow: number }[] };
    expect(json.pods).toEqual(pods.map(label));
    expect(json.ports.map((p) => p.port)).toEqual(["5432/TCP", "53/UDP"]);
    expect(json.ports[0]!.rows[4]).toBe("-XXX..X");
    const csv = netpol(["matrix", "-f", SHOP, "--ports", "5432/TCP,53/UDP", "-o", "csv"]).stdout.trimEnd().split("\n");
    expect(csv[0]).toBe(`port,src,${pods.map(label).join(",")}`);
    expect(csv.length).toBe(1 + 2 * pods.length);
    json.ports.forEach((p, k) => p.rows.forEach((row, i) => expect(csv[1 + k * pods.length + i]).toBe(`${p.port},${json.pods[i]},${row.split("").join(",")}`)));
  });

  it("limits sources and destinations to --namespace", () => {
    const json = JSON.parse(netpol(["matrix", "-f", SHOP, "--ports", "5432", "--namespace", "shop", "-o", "json"]).stdout) as { pods: string[]; ports: { rows: string[] }[] };
    expect(json.pods).toEqual(["shop/api-5c8b4", "shop/database-0", "shop/frontend-7d9f8"]);
    expect(json.ports[0]!.rows).toEqual(["..X", "X.X", "XX."]);
  });

  it("names the mistake in --ports and --namespace", () => {
    for (const [args, message] of [
      [["--ports", "80/ICMP"], /--ports "80\/ICMP": expected PORT\[\/PROTOCOL\]/],
      [["--ports", "70000"], /70000 is not in 1..65535/],
      [["--namespace", "nope"], /--namespace nope: no such namespace \(there are: /],
    ] as const) {
      const r = netpol(["matrix", "-f", SHOP, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("writes one self-contained HTML page whose hover says each cell's verdict and reasons", () => {
    const page = netpol(["matrix", "-f", SHOP, "--ports", "5432/TCP,http", "-o", "html"]).stdout;
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    // A stub DOM: enough for the page's script to build its maps and answer a hover.
    const canvases: { onmousemove?: (e: object) => void; width: number; height: number }[] = [];
    const tip = { style: {} as Record<string, string>, text: [] as string[], replaceChildren(...c: { textContent: string }[]) { this.text = c.map((x) => x.textContent); } };
    const element = (tag: string) => {
      const el: Record<string, unknown> = { tag, style: {}, textContent: "", append() {}, appendChild() {}, replaceChildren() {} };
      if (tag === "canvas") {
        Object.assign(el, {
          getBoundingClientRect: () => ({ left: 0, top: 0, width: el.width, height: el.height }),
          getContext: () => ({ createImageData: (w: number, h: number) => ({ data: new Uint8ClampedArray(w * h * 4) }), putImageData() {}, beginPath() {}, moveTo() {}, lineTo() {}, stroke() {} }),
        });
        canvases.push(el as never);
      }
      return el;
    };
    const document = { createElement: element, getElementById: (id: string) => (id === "tip" ? tip : element("div")) };
    const atob = (s: string) => Buffer.from(s, "base64").toString("latin1");
    const context = { document, atob, Uint8Array, Uint32Array, Math, JSON };
    runInNewContext(scripts.join("\n"), context);
    expect(canvases.length).toBe(2);
    const hover = (port: number, i: number, j: number) => {
      const cv = canvases[port]!;
      const S = cv.width / pods.length;
      cv.onmousemove!({ clientX: j * S + S / 2, clientY: i * S + S / 2 });
      return tip.text;
    };
    const api = pods.findIndex((p) => p.name === "api-5c8b4");
    const db = pods.findIndex((p) => p.name === "database-0");
    const fe = pods.findIndex((p) => p.name === "frontend-7d9f8");
    expect(hover(0, api, db)).toEqual(["shop/api-5c8b4 → shop/database-0  5432/TCP: allowed", "egress: shop/api[0] · ingress: shop/database[0]"]);
    expect(hover(0, fe, db)).toEqual(["shop/frontend-7d9f8 → shop/database-0  5432/TCP: denied", "egress: denied:shop/default-deny|shop/allow-dns|shop/frontend · ingress: denied:shop/default-deny|shop/database|shop/allow-scrape"]);
    expect(hover(1, fe, db)).toEqual(["shop/frontend-7d9f8 → shop/database-0  http/TCP: not applicable", ""]);
    expect(hover(1, fe, api)[0]).toBe("shop/frontend-7d9f8 → shop/api-5c8b4  http/TCP: allowed");
  });
});
