/**
 * What a policy change does: the same pods under two clusters (policy sets), every pod to every
 * pod and to and from every external address class, on every port either policy set mentions;
 * each connection whose verdict changes, with the reasons before and after. All through the
 * batch API of the two compiled engines.
 */
import { type CidrClasses, cidrClasses, classOfAddress, type FamilySpace } from "../compile/cidr.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";
import { FlowBatch } from "../engine/batch.js";
import type { Engine } from "../engine/engine.js";
import { sideKey as reasonKeyOf } from "../engine/reasons.js";
import { podSlot, viewBundle } from "../engine/inspect.js";
import { adminBlocks } from "../compile/peers.js";
import type { AdminPolicy, Cluster, Flow, IPAddress, IPBlock, NetworkPolicy, Pod, Reason } from "../model/types.js";
import { formatIP, toIPAddress } from "../validate/ip.js";
import { CELL_ALLOW, CELL_NONE, type MatrixEndpoint, Numbering, type PortSpec, computeMatrix, flowBetween, mentionedPorts } from "./matrix.js";

/** An address class outside the pods: every address in it matches exactly the same ipBlocks. */
export interface ExternalClass extends MatrixEndpoint {
  /** "203.0.113.0/24 except 203.0.113.128/25", or "outside every ipBlock (IPv4)". */
  readonly label: string;
  /** The address the class is decided at. */
  readonly address: IPAddress;
}

export interface Side {
  /** "namespace/name" of a pod, or an external class label. */
  readonly name: string;
  readonly address: string;
  readonly namespace: string | null;
}

export interface DirectionWhy {
  /** "n/a": the cell did not exist on that side (a named port, or an address family, one cluster lacks). */
  readonly verdict: "allow" | "deny" | "n/a";
  readonly egress: number;
  readonly ingress: number;
}

/**
 * Connections that changed the same way for the same reasons: every source in `src` to every
 * destination in `dst` (a pod never to itself). Pods that policies cannot tell apart — same
 * namespace, labels and named ports, addresses in the same ipBlocks, on both sides — are one
 * group, decided once.
 */
export interface Change {
  readonly src: readonly Side[];
  readonly dst: readonly Side[];
  /** "5432/TCP", or "5432/TCP (postgres)" when a named port resolved to it. */
  readonly port: string;
  readonly connections: number;
  readonly before: DirectionWhy;
  readonly after: DirectionWhy;
}

export interface DiffResult {
  readonly changes: readonly Change[];
  readonly pods: number;
  readonly externals: readonly ExternalClass[];
  readonly ports: readonly PortSpec[];
  /** Connections compared (cells, counting each group's members). */
  readonly connections: number;
  /** Pods whose connections could change (selected by a changed policy, or changed themselves). */
  readonly affectedPods: number;
  readonly podsOnlyBefore: readonly string[];
  readonly podsOnlyAfter: readonly string[];
}

const podName = (p: Pod) => `${p.namespace}/${p.name}`;

/**
 * One class per (family, ipBlock signature) of both policy sets, at an address no pod of either
 * cluster owns; `extra` blocks (admin `networks`, node addresses) cut the classes too.
 */
export function externalClasses(policies: readonly NetworkPolicy[], taken: ReadonlySet<string>, families: ReadonlySet<4 | 6>, extra: readonly IPBlock[] = []): ExternalClass[] {
  return externalClassesOf(cidrClasses(policies, extra), taken, families);
}

function externalClassesOf(classes: CidrClasses, taken: ReadonlySet<string>, families: ReadonlySet<4 | 6>): ExternalClass[] {
  const out: ExternalClass[] = [];
  for (const [family, space] of [[4, classes.v4], [6, classes.v6]] as [4 | 6, FamilySpace][]) {
    if (!families.has(family)) continue;
    const seen = new Set<number>();
    space.cuts.forEach((start, k) => {
      const cls = space.classOf[k]!;
      if (seen.has(cls)) return;
      const end = k + 1 < space.cuts.length ? space.cuts[k + 1]! : 1n << BigInt(space.bits);
      const address = freeAddress(start === 0n && end > 1n ? 1n : start, end, family, taken);
      if (!address) return; // every address of the interval is a pod's: try the class's next interval
      seen.add(cls);
      const sig = classes.signatures[cls]!;
      const blocks = classes.blocks.filter((b, i) => b.cidr.family === family && (sig[i >>> 5]! >>> (i & 31)) & 1);
      const label = blocks.length === 0 ? `outside every ipBlock (IPv${family})` : blocks.map((b) => `${b.cidr.text}${b.except.length ? ` except ${b.except.map((e) => e.text).join(",")}` : ""}`).join(" and ");
      out.push({ label, address, ips: [address], ports: [] });
    });
  }
  return out;
}

function freeAddress(from: bigint, end: bigint, family: 4 | 6, taken: ReadonlySet<string>): IPAddress | undefined {
  for (let v = from, tries = 0; v < end && tries < 64; v++, tries++) {
    const bytes = new Uint8Array(family === 4 ? 4 : 16);
    for (let i = bytes.length - 1, x = v; i >= 0; i--, x >>= 8n) bytes[i] = Number(x & 0xffn);
    const ip = toIPAddress(formatIP(bytes));
    if (!taken.has(ip.text)) return ip;
  }
  return undefined;
}

/** A set of pods (or one external class) no policy of either side tells apart. */
interface Group {
  readonly before: Pod | ExternalClass;
  readonly after: Pod | ExternalClass;
  /** A second member, for the group's connections among its own pods (a pod to itself is never compared). */
  readonly second?: { readonly before: Pod; readonly after: Pod };
  readonly members: readonly Pod[] | readonly [ExternalClass];
  readonly egress: boolean; // members' egress may change
  readonly ingress: boolean; // members' ingress may change
}

const policyKey = (p: NetworkPolicy) => `${p.namespace}/${p.name}`;
const adminKey = (p: AdminPolicy) => `${p.tier}/${p.name}`;

/** [egress, ingress] reason keys (Engine.reasonKey) of each flow (zeros where there is none), by explainBatch. */
function explainFlows(engine: Engine, flows: readonly (Flow | undefined)[]): [number, number][] {
  const present = flows.filter((f): f is Flow => f !== undefined);
  const batch = new FlowBatch(present.length);
  for (const f of present) batch.push(f.src, f.dst, f.protocol, f.port);
  const x = engine.explainBatch(batch);
  let k = 0;
  return flows.map((f) => (f ? [reasonKeyOf(x, k, 0), reasonKeyOf(x, k++, 1)] : [0, 0]));
}

/** What both kinds of diff compare: pods of both sides by name, the external classes, the ports. */
function scope(before: Cluster, after: Cluster, ports: readonly PortSpec[] | undefined) {
  const byName = (c: Cluster) => new Map(c.pods.filter((p) => p.ips.length > 0).map((p) => [podName(p), p]));
  const [beforePods, afterPods] = [byName(before), byName(after)];
  const common = [...beforePods.keys()].filter((k) => afterPods.has(k)).sort();
  const taken = new Set([...before.pods, ...after.pods].flatMap((p) => p.ips.map((ip) => ip.text)));
  const families = new Set(common.flatMap((k) => afterPods.get(k)!.ips.map((ip) => ip.family)));
  const policies = [...before.policies, ...after.policies];
  const admin = [...(before.adminPolicies ?? []), ...(after.adminPolicies ?? [])];
  const blocks = [...adminBlocks(before.adminPolicies ?? [], before.nodes ?? []), ...adminBlocks(after.adminPolicies ?? [], after.nodes ?? [])];
  const cidr = cidrClasses(policies, blocks);
  return {
    beforePods,
    afterPods,
    common,
    cidr,
    externals: externalClassesOf(cidr, taken, families),
    ports: ports ?? mentionedPorts(policies, admin, [...before.pods, ...after.pods]),
    policies,
    podsOnlyBefore: [...beforePods.keys()].filter((k) => !afterPods.has(k)).sort(),
    podsOnlyAfter: [...afterPods.keys()].filter((k) => !beforePods.has(k)).sort(),
  };
}

/** "5432/TCP", "5432/TCP (postgres)" for a named port. */
const portLabel = (flow: Flow, spec: PortSpec) => `${flow.port}/${spec.protocol}${"name" in spec ? ` (${spec.name})` : ""}`;

export function diffClusters(before: Cluster, after: Cluster, engines: { before: Engine; after: Engine }, options: { ports?: readonly PortSpec[] } = {}): DiffResult {
  const { beforePods, afterPods, common, cidr, externals, ports, podsOnlyBefore, podsOnlyAfter } = scope(before, after, options.ports);

  // What changed: policies (by namespace/name and content), admin policies (by tier/name), pods, namespace labels, nodes.
  const changedKeys = <T>(list: (c: Cluster) => readonly T[], key: (x: T) => string) => {
    const specOf = (c: Cluster) => {
      const m = new Map<string, string>(); // an ANP and a ClusterNetworkPolicy may share tier and name
      for (const p of list(c)) m.set(key(p), `${m.get(key(p)) ?? ""}${JSON.stringify(p)}`);
      return m;
    };
    const [b, a] = [specOf(before), specOf(after)];
    return new Set([...b.keys(), ...a.keys()].filter((k) => b.get(k) !== a.get(k)));
  };
  const changed = changedKeys((c) => c.policies, policyKey);
  const changedAdmin = changedKeys((c) => c.adminPolicies ?? [], adminKey);
  const nsLabels = (c: Cluster) => new Map(c.namespaces.map((n) => [n.name, JSON.stringify(n.labels)]));
  const [nsBefore, nsAfter] = [nsLabels(before), nsLabels(after)];
  const everything =
    [...nsBefore.keys(), ...nsAfter.keys()].some((n) => nsBefore.get(n) !== nsAfter.get(n)) || changedKeys((c) => c.nodes ?? [], (n) => n.name).size > 0;
  const named = (p: Pod) => p.ports.filter((x) => x.name).map((x) => `${x.name}/${x.protocol}=${x.containerPort}`).sort().join(" ");
  const sideKey = (ns: Map<string, string>, p: Pod) =>
    JSON.stringify([p.namespace, ns.get(p.namespace), Object.entries(p.labels).sort(), named(p), p.ips.map((ip) => `${ip.family}:${classOfAddress(cidr, ip)}`).sort()]);
  const refs = { before: new ReferenceEvaluator(before), after: new ReferenceEvaluator(after) };
  const selectedByChange = (which: "before" | "after", p: Pod, d: "egress" | "ingress") =>
    refs[which].isolating(p, d).some((q) => changed.has(policyKey(q))) ||
    (refs[which].cluster.adminPolicies ?? []).some((t) => changedAdmin.has(adminKey(t)) && t[d].length > 0 && refs[which].subjectSelects(t, p));

  // Group the common pods by what both compiled bundles know of their addresses (peer class,
  // profiles, reason class), their named ports and namespace; mark what may change.
  const views = { before: viewBundle(engines.before.bundle()), after: viewBundle(engines.after.bundle()) };
  const slots = (which: "before" | "after", p: Pod) => p.ips.map((ip) => `${ip.family}:${podSlot(views[which], ip)!.join(",")}`).sort().join(" ");
  const groups = new Map<string, { members: Pod[]; befores: Pod[]; egress: boolean; ingress: boolean }>();
  let affectedPods = 0;
  for (const name of common) {
    const [pb, pa] = [beforePods.get(name)!, afterPods.get(name)!];
    const [kb, ka] = [sideKey(nsBefore, pb), sideKey(nsAfter, pa)];
    const self = everything || kb !== ka;
    const egress = self || selectedByChange("before", pb, "egress") || selectedByChange("after", pa, "egress");
    const ingress = self || selectedByChange("before", pb, "ingress") || selectedByChange("after", pa, "ingress");
    if (egress || ingress) affectedPods++;
    const key = [pa.namespace, named(pb), named(pa), slots("before", pb), slots("after", pa), self, egress, ingress].join("|");
    const g = groups.get(key) ?? { members: [], befores: [], egress, ingress };
    g.members.push(pa);
    g.befores.push(pb);
    groups.set(key, g);
  }
  const all: Group[] = [
    ...[...groups.values()].map((g) => ({
      before: g.befores[0]!,
      after: g.members[0]!,
      ...(g.members.length > 1 ? { second: { before: g.befores[1]!, after: g.members[1]! } } : {}),
      members: g.members,
      egress: g.egress,
      ingress: g.ingress,
    })),
    ...externals.map((x) => ({ before: x, after: x, members: [x] as const, egress: false, ingress: false })),
  ];
  const isPod = (x: Pod | ExternalClass): x is Pod => "namespace" in x;
  const pods = all.filter((g) => isPod(g.after));

  const seen = new Set<string>(); // a named port and its number are one connection
  let connections = 0;
  const side = (x: Pod | ExternalClass, family: 4 | 6): Side =>
    isPod(x) ? { name: podName(x), address: x.ips.find((ip) => ip.family === family)!.text, namespace: x.namespace } : { name: x.label, address: x.address.text, namespace: null };
  /** A changed cell waiting for its reasons: decided again by explainBatch on both sides. */
  const pending: { change: Omit<Change, "before" | "after">; flows: { before?: Flow; after?: Flow }; verdicts: [number, number] }[] = [];
  /** Compares sources × destinations (group lists); `diagonal` decides a group's own pair on its second member. */
  const compare = (spec: PortSpec, sources: readonly Group[], destinations: readonly Group[], done: Set<string>, diagonal = false) => {
    if (sources.length === 0 || destinations.length === 0) return;
    const pick = (gs: readonly Group[], which: "before" | "after", second: boolean) => gs.map((g) => (second && g.second ? g.second[which] : g[which]));
    const b = computeMatrix(engines.before, pick(sources, "before", false), pick(destinations, "before", diagonal), spec);
    const a = computeMatrix(engines.after, pick(sources, "after", false), pick(destinations, "after", diagonal), spec);
    const n = destinations.length;
    for (let k = 0; k < a.cells.length; k++) {
      const [i, j] = [Math.floor(k / n), k % n];
      const [gs, gd] = [sources[i]!, destinations[j]!];
      if (diagonal ? i !== j : gs === gd) continue; // a group with itself: only on the diagonal pass
      if (!isPod(gs.after) && !isPod(gd.after)) continue;
      if (!diagonal) {
        const id = `${index.get(gs)}>${index.get(gd)}`;
        if (done.has(id)) continue;
        done.add(id);
      }
      if (b.cells[k] === CELL_NONE && a.cells[k] === CELL_NONE) continue;
      const count = diagonal ? gs.members.length * (gs.members.length - 1) : gs.members.length * gd.members.length;
      connections += count;
      if (b.cells[k] === a.cells[k]) continue;
      const flowOf = (m: typeof a) => (m.cells[k] === CELL_NONE ? undefined : flowBetween(m.sources[i]!, m.destinations[j]!, spec));
      const flows = { before: flowOf(b), after: flowOf(a) };
      const shown = (flows.after ?? flows.before)!;
      const key = `${index.get(gs)}>${index.get(gd)}:${shown.port}/${spec.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pending.push({
        change: {
          src: sides(gs, shown.src.family),
          dst: sides(gd, shown.src.family),
          port: portLabel(shown, spec),
          connections: count,
        },
        flows,
        verdicts: [b.cells[k]!, a.cells[k]!],
      });
    }
  };
  const index = new Map(all.map((g, i) => [g, i]));
  // A group's members as sides, made once per family: changes of a group share the array.
  const memberSides = new Map<string, readonly Side[]>();
  function sides(g: Group, family: 4 | 6): readonly Side[] {
    const key = `${index.get(g)}:${family}`;
    let list = memberSides.get(key);
    if (!list) memberSides.set(key, (list = g.members.map((m) => side(m, family))));
    return list;
  }
  for (const spec of ports) {
    const done = new Set<string>();
    compare(spec, all.filter((g) => g.egress), all, done);
    compare(spec, all, all.filter((g) => g.ingress), done);
    const own = pods.filter((g) => g.second && (g.egress || g.ingress));
    compare(spec, own, own, done, true);
  }
  const reasons = {
    before: explainFlows(engines.before, pending.map((p) => p.flows.before)),
    after: explainFlows(engines.after, pending.map((p) => p.flows.after)),
  };
  const verdictName = (cell: number) => (cell === CELL_ALLOW ? "allow" : cell === CELL_NONE ? "n/a" : "deny");
  const changes: Change[] = pending.map((p, k) => ({
    ...p.change,
    before: { verdict: verdictName(p.verdicts[0]), egress: reasons.before[k]![0], ingress: reasons.before[k]![1] },
    after: { verdict: verdictName(p.verdicts[1]), egress: reasons.after[k]![0], ingress: reasons.after[k]![1] },
  }));
  return {
    changes,
    pods: common.length,
    externals,
    ports,
    connections,
    affectedPods,
    podsOnlyBefore,
    podsOnlyAfter,
  };
}


/**
 * The same comparison by the two reference evaluators, connection by connection: slow on
 * purpose, for what the compiled core does not evaluate yet (admin tiers). Every common pod to
 * every pod and external class and back, every port; each change is one connection. Reasons
 * are labels (`label`), numbered per side in `labels`.
 */
export function diffClustersReference<T extends { readonly label: string }>(
  before: Cluster, after: Cluster, describe: (r: Reason, c: Cluster) => T, options: { ports?: readonly PortSpec[] } = {},
): DiffResult & { readonly labels: { readonly before: readonly T[]; readonly after: readonly T[] } } {
  const { beforePods: podsBefore, afterPods: podsAfter, common, externals, ports, podsOnlyBefore, podsOnlyAfter } = scope(before, after, options.ports);
  const refs = { before: new ReferenceEvaluator(before), after: new ReferenceEvaluator(after) };
  const labels = { before: new Numbering<T>(), after: new Numbering<T>() };
  const code = (which: "before" | "after", r: Reason) => {
    const described = describe(r, which === "before" ? before : after);
    return labels[which].number(described.label, () => described);
  };
  type End = { side: (family: 4 | 6) => Side; before: MatrixEndpoint; after: MatrixEndpoint; pod: boolean };
  const ends: End[] = [
    ...common.map((k): End => {
      const [b, a] = [podsBefore.get(k)!, podsAfter.get(k)!];
      return { side: (f) => ({ name: k, address: a.ips.find((ip) => ip.family === f)?.text ?? "", namespace: a.namespace }), before: b, after: a, pod: true };
    }),
    ...externals.map((x): End => ({ side: () => ({ name: x.label, address: x.address.text, namespace: null }), before: x, after: x, pod: false })),
  ];
  const changes: Change[] = [];
  const seen = new Set<string>();
  let connections = 0;
  for (const spec of ports) {
    for (const s of ends) {
      for (const d of ends) {
        if (s === d || (!s.pod && !d.pod)) continue;
        const flows = { before: flowBetween(s.before, d.before, spec), after: flowBetween(s.after, d.after, spec) };
        if (!flows.before && !flows.after) continue;
        connections++;
        const why = (which: "before" | "after"): DirectionWhy => {
          const f = flows[which];
          if (!f) return { verdict: "n/a", egress: 0, ingress: 0 };
          const x = refs[which].explainFlow(f);
          return { verdict: x.verdict, egress: code(which, x.egress), ingress: code(which, x.ingress) };
        };
        const [b, a] = [why("before"), why("after")];
        if (b.verdict === a.verdict) continue;
        const shown = (flows.after ?? flows.before)!;
        const key = `${shown.src.text}>${shown.dst.text}:${shown.port}/${spec.protocol}`;
        if (seen.has(key)) continue;
        seen.add(key);
        changes.push({
          src: [s.side(shown.src.family)],
          dst: [d.side(shown.src.family)],
          port: portLabel(shown, spec),
          connections: 1,
          before: b,
          after: a,
        });
      }
    }
  }
  return {
    changes, pods: common.length, externals, ports, connections, affectedPods: common.length, podsOnlyBefore, podsOnlyAfter,
    labels: { before: labels.before.items, after: labels.after.items },
  };
}
