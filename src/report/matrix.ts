/**
 * Truth tables: every pod to every pod on one port, through the batch API (rows sources,
 * columns destinations), optionally with the reasons of every cell. 2,000 pods are 4 million
 * cells per port: flows are written straight into a batch in engine memory, 65,536 at a time.
 */
import { FAMILY_V6, type FlowBatch, PROTOCOL_CODE, writeAddress } from "../engine/batch.js";
import type { Engine } from "../engine/engine.js";
import { sideKey } from "../engine/reasons.js";
import type { AdminPolicy, Flow, NetworkPolicy, Pod, Protocol, Reason } from "../model/types.js";
import type { ReferenceEvaluator } from "../reference/evaluator.js";

/** A port to tabulate: a number, or a name each destination pod resolves (cells stay n/a where it does not). */
export type PortSpec = { readonly protocol: Protocol; readonly port: number } | { readonly protocol: Protocol; readonly name: string };

export const CELL_DENY = 0;
export const CELL_ALLOW = 1;
/** No common address family, or a named port the destination does not define. */
export const CELL_NONE = 2;

/** What a row or column needs: its addresses, and its container ports (for named ports). Pods are endpoints. */
export type MatrixEndpoint = Pick<Pod, "ips" | "ports">;

export interface Matrix<S extends MatrixEndpoint = Pod, D extends MatrixEndpoint = Pod> {
  readonly spec: PortSpec;
  readonly sources: readonly S[];
  readonly destinations: readonly D[];
  /** sources × destinations, row-major: CELL_*. */
  readonly cells: Uint8Array;
  /** With reasons: each cell's index into `pairs` of [egress, ingress] reason codes (0 for n/a cells). */
  readonly reasons?: { readonly pairs: readonly (readonly [number, number])[]; readonly index: Uint32Array };
}

const BLOCK = 65536;

/** One batch per engine for every table it computes: engine memory is never freed, so it is made once. */
const batches = new WeakMap<Engine, FlowBatch>();
function blockBatch(engine: Engine): FlowBatch {
  let b = batches.get(engine);
  if (!b) batches.set(engine, (b = engine.createBatch(BLOCK)));
  return b;
}

/** "80/TCP", "http/TCP": the label of a port spec. */
export function specLabel(spec: PortSpec): string {
  return `${"port" in spec ? spec.port : spec.name}/${spec.protocol}`;
}

/**
 * Every port and named port the policies mention (sorted: protocol, numbers, then names); admin
 * tiers' too: a range by its start, a named port (any protocol) under each protocol some pod's
 * container port of that name has.
 */
export function mentionedPorts(policies: readonly NetworkPolicy[], admin: readonly AdminPolicy[] = [], pods: readonly Pod[] = []): PortSpec[] {
  const seen = new Map<string, PortSpec>();
  const add = (spec: PortSpec) => seen.set(specLabel(spec), spec);
  for (const p of policies) {
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const port of rule.ports) {
        if (port.port === undefined) continue;
        add(typeof port.port === "number" ? { protocol: port.protocol, port: port.port } : { protocol: port.protocol, name: port.port });
      }
    }
  }
  for (const p of admin) {
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const port of rule.ports ?? []) {
        if (port.kind === "number") add({ protocol: port.protocol, port: port.port });
        else if (port.kind === "range") add({ protocol: port.protocol, port: port.start });
        else for (const protocol of new Set(pods.flatMap((pod) => pod.ports.filter((c) => c.name === port.name).map((c) => c.protocol)))) add({ protocol, name: port.name });
      }
    }
  }
  const order = (s: PortSpec) => ["TCP", "UDP", "SCTP"].indexOf(s.protocol);
  return [...seen.values()].sort((a, b) =>
    order(a) - order(b) || ("port" in a ? ("port" in b ? a.port - b.port : -1) : "port" in b ? 1 : a.name.localeCompare(b.name)),
  );
}

/** The port a spec names on a destination: its number, or the destination's container port of that name. */
export function portOn(spec: PortSpec, destination: MatrixEndpoint): number | undefined {
  return "port" in spec ? spec.port : destination.ports.find((c) => c.name === spec.name && c.protocol === spec.protocol)?.containerPort;
}

/** The flow a cell stands for: the family both sides have (IPv4 first) on `portOn`; none when either is missing. */
export function flowBetween(source: MatrixEndpoint, destination: MatrixEndpoint, spec: PortSpec): Flow | undefined {
  const port = portOn(spec, destination);
  const family = ([4, 6] as const).find((f) => source.ips.some((ip) => ip.family === f) && destination.ips.some((ip) => ip.family === f));
  if (port === undefined || family === undefined) return undefined;
  return { src: source.ips.find((ip) => ip.family === family)!, dst: destination.ips.find((ip) => ip.family === family)!, protocol: spec.protocol, port };
}

/** Numbers distinct items by key, in order of first appearance (reason pairs, reason labels). */
export class Numbering<T> {
  readonly items: T[] = [];
  private readonly numbers = new Map<string, number>();

  number(key: string, item: () => T): number {
    let n = this.numbers.get(key);
    if (n === undefined) this.numbers.set(key, (n = this.items.push(item()) - 1));
    return n;
  }
}

export function computeMatrix<S extends MatrixEndpoint, D extends MatrixEndpoint>(
  engine: Engine, sources: readonly S[], destinations: readonly D[], spec: PortSpec, options: { reasons?: boolean } = {},
): Matrix<S, D> {
  const cells = new Uint8Array(sources.length * destinations.length).fill(CELL_NONE);
  const pairIndex = options.reasons ? new Uint32Array(cells.length) : undefined;
  const pairs = new Numbering<readonly [number, number]>();
  pairs.number("0:0", () => [0, 0]);
  const protocol = PROTOCOL_CODE[spec.protocol]!;
  const portOf = destinations.map((d) => portOn(spec, d));
  const words = (pods: readonly MatrixEndpoint[], family: 4 | 6) =>
    pods.map((p) => {
      const ip = p.ips.find((a) => a.family === family);
      if (!ip) return undefined;
      const w = new Uint32Array(4);
      writeAddress(w, 0, ip);
      return w;
    });
  const src4 = words(sources, 4);
  const src6 = words(sources, 6);
  const dst4 = words(destinations, 4);
  const dst6 = words(destinations, 6);

  const batch = blockBatch(engine);
  const at = new Uint32Array(BLOCK); // cell of each flow in the batch
  const out = options.reasons ? engine.createExplanations(BLOCK) : undefined;
  const verdicts = new Uint8Array(BLOCK);
  let n = 0;
  const flush = () => {
    batch.length = n;
    if (out) {
      const x = engine.explainBatch(batch, out);
      for (let k = 0; k < n; k++) {
        const cell = at[k]!;
        cells[cell] = x.verdicts[k]!;
        const [e, g] = [sideKey(x, k, 0), sideKey(x, k, 1)];
        pairIndex![cell] = pairs.number(`${e}:${g}`, () => [e, g]);
      }
    } else {
      engine.decideBatch(batch, verdicts);
      for (let k = 0; k < n; k++) cells[at[k]!] = verdicts[k]!;
    }
    n = 0;
  };
  let src = batch.src;
  let dst = batch.dst;
  let meta = batch.meta;
  for (let i = 0; i < sources.length; i++) {
    for (let j = 0; j < destinations.length; j++) {
      const port = portOf[j];
      if (port === undefined) continue;
      let s = src4[i];
      let d = dst4[j];
      let family = 0;
      if (!s || !d) {
        s = src6[i];
        d = dst6[j];
        family = FAMILY_V6;
        if (!s || !d) continue;
      }
      const w = n * 4;
      src[w] = s[0]!; src[w + 1] = s[1]!; src[w + 2] = s[2]!; src[w + 3] = s[3]!;
      dst[w] = d[0]!; dst[w + 1] = d[1]!; dst[w + 2] = d[2]!; dst[w + 3] = d[3]!;
      meta[n] = (port | (protocol << 16) | family) >>> 0;
      at[n++] = i * destinations.length + j;
      if (n === BLOCK) {
        flush();
        // Views may be made again after an engine call (memory can grow on first explain).
        ({ src, dst, meta } = batch);
      }
    }
  }
  if (n > 0) flush();
  return { spec, sources, destinations, cells, ...(pairIndex ? { reasons: { pairs: pairs.items, index: pairIndex } } : {}) };
}

/**
 * The same table from the reference evaluator, flow by flow: slow on purpose, for what the
 * compiled core does not evaluate yet (admin tiers). Reasons, when asked for, are labels
 * numbered in order of appearance; `labels[code]` names them.
 */
export function referenceMatrix(
  ref: ReferenceEvaluator, sources: readonly Pod[], destinations: readonly Pod[], spec: PortSpec, label: (r: Reason) => string, options: { reasons?: boolean } = {},
): Matrix & { labels: string[] } {
  const n = destinations.length;
  const cells = new Uint8Array(sources.length * n).fill(CELL_NONE);
  const index = new Uint32Array(cells.length);
  const labels = new Numbering<string>();
  labels.number("", () => "");
  const pairs = new Numbering<readonly [number, number]>();
  pairs.number("0:0", () => [0, 0]);
  sources.forEach((s, i) =>
    destinations.forEach((d, j) => {
      const flow = flowBetween(s, d, spec);
      if (!flow) return;
      if (!options.reasons) {
        cells[i * n + j] = ref.decideFlow(flow) === "allow" ? CELL_ALLOW : CELL_DENY;
        return;
      }
      const x = ref.explainFlow(flow);
      cells[i * n + j] = x.verdict === "allow" ? CELL_ALLOW : CELL_DENY;
      const [e, g] = [label(x.egress), label(x.ingress)].map((text) => labels.number(text, () => text));
      index[i * n + j] = pairs.number(`${e}:${g}`, () => [e!, g!]);
    }),
  );
  return { spec, sources, destinations, cells, labels: labels.items, ...(options.reasons ? { reasons: { pairs: pairs.items, index } } : {}) };
}
