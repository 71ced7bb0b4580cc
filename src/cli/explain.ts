/**
 * `netpol explain`: one connection (or every port of the destination pod), decided by the
 * compiled engine with its reasons, cross-checked against the reference evaluator, and walked
 * through per direction — who isolates each side, which rule allowed (which peer, which port,
 * named ports resolved) or, when nothing matched, how each rule missed.
 */
import { stringify } from "yaml";
import { type Engine, compile } from "../engine/engine.js";
import { loadPaths } from "../model/files.js";
import type { Cluster, Direction, Explanation, Flow, IPAddress, NetworkPolicy, Peer, Pod, PolicyPort, Protocol, Reason, Selector } from "../model/types.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";
import { parseIP } from "../validate/ip.js";
import type { Io } from "./io.js";
import { InputError, UsageError } from "./io.js";
import { paint, printDiagnostics } from "./output.js";

export const EXPLAIN_FORMATS = ["text", "json", "yaml"] as const;
export type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];
const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

export interface ExplainOptions {
  readonly file: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly port?: string;
  readonly protocol?: string;
  readonly family?: string;
  readonly output: ExplainFormat;
  readonly engine: "wasm" | "reference";
  readonly strict: boolean;
  readonly quiet: boolean;
}

/** One side of the connection as the user named it. */
interface Side {
  readonly pod: Pod | undefined;
  readonly address: IPAddress;
}

/** How one rule met the flow: the first peer and port that matched ("any": empty list; null: none). */
export interface RuleMatch {
  readonly policy: string;
  readonly rule: number;
  readonly peer: number | "any" | null;
  readonly port: number | "any" | null;
  /** The matching peer and port as kubectl would show them (when they matched). */
  readonly peerText?: string;
  readonly portText?: string;
}

export interface DirectionReport {
  /** "namespace/name" of the pod whose policies decide this direction; null for an outside address. */
  readonly pod: string | null;
  readonly isolated: boolean;
  /** The policies isolating that pod for this direction, in cluster order. */
  readonly policies: readonly string[];
  readonly verdict: "allow" | "deny";
  readonly reason: "not isolated" | "not a pod" | "self" | "rule" | "no rule matched" | "admin rule" | "baseline rule";
  /** The admin-tier rule that decided (reason "admin rule" or "baseline rule"). */
  readonly tierRule?: { readonly policy: string; readonly rule: number; readonly action: "Allow" | "Deny" };
  /** The AdminNetworkPolicy rule whose Pass handed this direction down to NetworkPolicy and the baseline. */
  readonly passed?: { readonly policy: string; readonly rule: number };
  /** The allowing rule (reason "rule"), or every rule tried (reason "no rule matched"). */
  readonly rules: readonly RuleMatch[];
}

export interface ConnectionReport {
  readonly src: { readonly address: string; readonly pod: string | null };
  readonly dst: { readonly address: string; readonly pod: string | null };
  readonly protocol: Protocol;
  readonly port: number;
  /** The destination's container port names that resolve to this port and protocol. */
  readonly namedPorts: readonly string[];
  readonly verdict: "allow" | "deny";
  readonly egress: DirectionReport;
  readonly ingress: DirectionReport;
}

export async function runExplain(opts: ExplainOptions, io: Io): Promise<number> {
  if (opts.file.length === 0) throw new UsageError("explain needs at least one -f PATH (a file, a directory or - for stdin)");
  const loaded = await loadPaths(opts.file, { strict: opts.strict }, io.stdin);
  printDiagnostics(loaded.warnings.filter((d) => !opts.quiet || d.severity === "warning"), io.stderr);
  const { cluster } = loaded;
  const from = resolveSide(cluster, "--from", opts.from);
  const to = resolveSide(cluster, "--to", opts.to);
  const [src, dst] = pickFamily(from, to, opts);
  const engine = opts.engine === "wasm" ? await compile(cluster) : undefined;
  const ref = new ReferenceEvaluator(cluster);
  const reports = connections(dst, opts).map(([protocol, port]) => explainOne(cluster, engine, { src: src.address, dst: dst.address, protocol, port }, ref));
  await engine?.close();
  if (opts.output === "json") io.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
  else if (opts.output === "yaml") io.stdout.write(stringify(reports.length === 1 ? reports[0] : reports));
  else io.stdout.write(reports.map((r) => text(r, io)).join("\n"));
  return 0;
}

/** `ns/pod` or an address (which may be a pod's). */
function resolveSide(cluster: Cluster, flag: string, value: string): { pod?: Pod; address?: IPAddress; name: string } {
  const parsed = parseIP(value);
  if (parsed.ok) {
    const address = parsed.value;
    const pod = cluster.pods.find((p) => p.ips.some((ip) => ip.text === address.text));
    return { pod, address, name: value };
  }
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1 || value.indexOf("/", slash + 1) >= 0) {
    throw new UsageError(`${flag} ${JSON.stringify(value)}: expected NAMESPACE/POD or an IP address`);
  }
  const [namespace, name] = [value.slice(0, slash), value.slice(slash + 1)];
  const pod = cluster.pods.find((p) => p.namespace === namespace && p.name === name);
  if (!pod) {
    const inNs = cluster.pods.filter((p) => p.namespace === namespace).map((p) => p.name);
    const hint = inNs.length > 0 ? ` (pods there: ${inNs.slice(0, 8).join(", ")}${inNs.length > 8 ? ", …" : ""})` : cluster.namespaces.some((n) => n.name === namespace) ? " (it has no pods)" : ` (no namespace ${namespace})`;
    throw new UsageError(`${flag} ${value}: no pod ${name} in namespace ${namespace}${hint}`);
  }
  if (pod.ips.length === 0) {
    throw new UsageError(`${flag} ${value}: the pod owns no address (${pod.hostNetwork ? "hostNetwork: it uses its node's address, an outside address to policies" : "not running"})`);
  }
  return { pod, name: value };
}

/** The two addresses: of the family an IP side fixes, else --family, else IPv4 when both pods have it. */
function pickFamily(from: ReturnType<typeof resolveSide>, to: ReturnType<typeof resolveSide>, opts: ExplainOptions): [Side, Side] {
  if (opts.family !== undefined && opts.family !== "4" && opts.family !== "6") throw new UsageError(`--family takes 4 or 6, got ${JSON.stringify(opts.family)}`);
  const fixed = from.address?.family ?? to.address?.family;
  if (fixed && opts.family && Number(opts.family) !== fixed) throw new UsageError(`--family ${opts.family} contradicts the IPv${fixed} address given`);
  const families: (4 | 6)[] = fixed ? [fixed] : opts.family ? [Number(opts.family) as 4 | 6] : [4, 6];
  for (const family of families) {
    const a = addressOf(from, family);
    const b = addressOf(to, family);
    if (a && b) return [{ pod: from.pod, address: a }, { pod: to.pod, address: b }];
  }
  const need = families.map((f) => `IPv${f}`).join(" or ");
  const lacking = [from, to].filter((s) => !families.some((f) => addressOf(s, f))).map((s) => s.name);
  throw new UsageError(`no ${need} address on both sides: ${lacking.join(" and ")} ${lacking.length === 1 ? "has" : "have"} none`);
}

function addressOf(side: ReturnType<typeof resolveSide>, family: 4 | 6): IPAddress | undefined {
  if (side.address) return side.address.family === family ? side.address : undefined;
  return side.pod!.ips.find((ip) => ip.family === family);
}

/** --port N | NAME (a container port of the destination), or every container port of the destination pod. */
function connections(dst: Side, opts: ExplainOptions): [Protocol, number][] {
  const protocol = opts.protocol?.toUpperCase();
  if (protocol !== undefined && !PROTOCOLS.includes(protocol as Protocol)) throw new UsageError(`--protocol takes TCP, UDP or SCTP, got ${JSON.stringify(opts.protocol)}`);
  if (opts.port === undefined) {
    const ports = (dst.pod?.ports ?? []).filter((c) => !protocol || c.protocol === protocol);
    if (ports.length === 0) throw new UsageError(`--port is needed: ${dst.pod ? `${dst.pod.namespace}/${dst.pod.name} declares no container ports${protocol ? ` for ${protocol}` : ""}` : `${dst.address.text} is not a pod`}`);
    const seen = new Set<string>();
    return ports.map((c) => [c.protocol, c.containerPort] as [Protocol, number]).filter(([p, n]) => !seen.has(`${p}/${n}`) && seen.add(`${p}/${n}`));
  }
  if (/^\d+$/.test(opts.port)) {
    const n = Number(opts.port);
    if (n < 1 || n > 65535) throw new UsageError(`--port ${opts.port} is not in 1..65535`);
    return [[(protocol as Protocol) ?? "TCP", n]];
  }
  const named = (dst.pod?.ports ?? []).filter((c) => c.name === opts.port && (!protocol || c.protocol === protocol));
  if (named.length === 0) throw new UsageError(`--port ${opts.port}: ${dst.pod ? `${dst.pod.namespace}/${dst.pod.name} has no container port named ${opts.port}${protocol ? ` for ${protocol}` : ""}` : "a named port needs a pod as --to"}`);
  return named.map((c) => [c.protocol, c.containerPort]);
}

const podName = (p: Pod | undefined) => (p ? `${p.namespace}/${p.name}` : null);
const policyName = (p: NetworkPolicy) => `${p.namespace}/${p.name}`;

/**
 * The engine's answer, held to the reference's, then walked through with the reference's detail
 * (without an engine, `--engine reference`: the reference's answer alone).
 */
export function explainOne(cluster: Cluster, engine: Engine | undefined, flow: Flow, ref = new ReferenceEvaluator(cluster)): ConnectionReport {
  const spec = ref.explainFlow(flow);
  if (engine) {
    const core = engine.explain(flow.src, flow.dst, flow.protocol, flow.port);
    const asReason = (r: typeof core.egress) => { const { names: _, ...rest } = r; return rest; };
    const fromCore: Explanation = { verdict: core.verdict, egress: asReason(core.egress) as Reason, ingress: asReason(core.ingress) as Reason };
    if (JSON.stringify(fromCore) !== JSON.stringify(spec)) {
      throw new Error(`internal error: the engine and the reference evaluator disagree on ${flow.src.text} → ${flow.dst.text} ${flow.protocol}/${flow.port} (engine ${JSON.stringify(fromCore)}, reference ${JSON.stringify(spec)}); please report it`);
    }
  }
  const srcPod = ref.podAt(flow.src);
  const dstPod = ref.podAt(flow.dst);
  const direction = (d: Direction, pod: Pod | undefined, reason: Reason): DirectionReport => {
    const isolating = pod ? ref.isolating(pod, d) : [];
    const passed = "passed" in reason && reason.passed ? { passed: reason.passed } : {};
    const base = { pod: podName(pod), isolated: isolating.length > 0, policies: isolating.map(policyName), ...passed };
    const match = (policy: NetworkPolicy, rule: number): RuleMatch => {
      const m = ref.ruleMatch(policy, d, rule, flow);
      const r = policy[d][rule]!;
      return {
        policy: policyName(policy),
        rule,
        ...m,
        ...(typeof m.peer === "number" ? { peerText: peerText(r.peers[m.peer]!) } : {}),
        ...(typeof m.port === "number" ? { portText: portText(r.ports[m.port]!) } : {}),
      };
    };
    switch (reason.kind) {
      case "self":
        return { ...base, verdict: "allow", reason: "self", rules: [] };
      case "none":
        return { ...base, verdict: "allow", reason: pod ? "not isolated" : "not a pod", rules: [] };
      case "allowed":
        return { ...base, verdict: "allow", reason: "rule", rules: [match(cluster.policies[reason.policy]!, reason.rule)] };
      case "denied":
        return { ...base, verdict: "deny", reason: "no rule matched", rules: isolating.flatMap((p) => p[d].map((_, i) => match(p, i))) };
      case "tier":
        return {
          ...base,
          verdict: reason.action === "Allow" ? "allow" : "deny",
          reason: reason.tier === "admin" ? "admin rule" : "baseline rule",
          rules: [],
          tierRule: { policy: reason.policy, rule: reason.rule, action: reason.action },
        };
    }
  };
  return {
    src: { address: flow.src.text, pod: podName(srcPod) },
    dst: { address: flow.dst.text, pod: podName(dstPod) },
    protocol: flow.protocol,
    port: flow.port,
    namedPorts: (dstPod?.ports ?? []).filter((c) => c.name && c.protocol === flow.protocol && c.containerPort === flow.port).map((c) => c.name!),
    verdict: spec.verdict,
    egress: direction("egress", srcPod, spec.egress),
    ingress: direction("ingress", dstPod, spec.ingress),
  };
}

function text(r: ConnectionReport, io: Io): string {
  const side = (s: ConnectionReport["src"]) => (s.pod ? `${s.pod} (${s.address})` : s.address);
  const named = r.namedPorts.length > 0 ? ` (${r.namedPorts.join(", ")})` : "";
  const verdict = paint(r.verdict === "allow" ? "green" : "red", r.verdict === "allow" ? "ALLOWED" : "DENIED", io.stdout);
  const lines = [`${side(r.src)} → ${side(r.dst)}  ${r.protocol} ${r.port}${named}: ${verdict}`];
  for (const d of ["egress", "ingress"] as const) {
    const rep = r[d];
    const who = d === "egress" ? `egress of ${rep.pod ?? r.src.address}` : `ingress of ${rep.pod ?? r.dst.address}`;
    if (rep.passed) lines.push(`  ${who}: [ANP] Pass (${rep.passed.policy} ${d} rule ${rep.passed.rule}) → NetworkPolicy, then the baseline`);
    const mark = paint(rep.verdict === "allow" ? "green" : "red", rep.verdict, io.stdout);
    if (rep.reason === "self") lines.push(`  ${who}: ${mark} — a pod reaching itself is not subject to policy`);
    else if (rep.reason === "not a pod") lines.push(`  ${who}: ${mark} — not a pod: no policy applies to it`);
    else if (rep.reason === "not isolated") lines.push(`  ${who}: ${mark} — no NetworkPolicy selects it for ${d}: not isolated`);
    else if (rep.tierRule) {
      const kind = rep.reason === "admin rule" ? "[ANP] AdminNetworkPolicy" : "[BANP] BaselineAdminNetworkPolicy";
      lines.push(`  ${who}: ${mark} — ${kind} ${rep.tierRule.policy} ${d} rule ${rep.tierRule.rule}: ${rep.tierRule.action}`);
    }
    else {
      lines.push(`  ${who}: ${mark} — isolated by ${rep.policies.join(", ")}`);
      if (rep.reason === "rule") lines.push(`    allowed by ${describeRule(rep.rules[0]!, d, r)}`);
      else {
        lines.push(`    no rule of these policies matches:`);
        const width = Math.max(...rep.policies.map((p) => p.length));
        for (const p of rep.policies) {
          const rules = rep.rules.filter((m) => m.policy === p);
          if (rules.length === 0) lines.push(`      ${p.padEnd(width)}  no ${d} rules: allows nothing`);
          for (const m of rules) lines.push(`      ${p.padEnd(width)}  ${d} rule ${m.rule}: ${miss(m, d)}`);
        }
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function describeRule(m: RuleMatch, d: Direction, r: ConnectionReport): string {
  const list = d === "egress" ? "to" : "from";
  const peer = m.peer === "any" ? `any ${d === "egress" ? "destination" : "source"} (no ${list})` : `${list}[${m.peer}] ${m.peerText}`;
  const resolved = m.portText && !/^\d/.test(m.portText) && !m.portText.startsWith("all") ? ` = ${r.port}` : "";
  const port = m.port === "any" ? "any port (no ports)" : `ports[${m.port}] ${m.portText}${resolved}`;
  return `${m.policy} ${d} rule ${m.rule}: ${peer}; ${port}`;
}

/** A label selector in kubectl's syntax; the empty selector is "all". */
function selectorText(sel: Selector): string {
  const parts = [
    ...Object.entries(sel.matchLabels).map(([k, v]) => `${k}=${v}`),
    ...sel.matchExpressions.map((e) =>
      e.operator === "Exists" ? e.key : e.operator === "DoesNotExist" ? `!${e.key}` : `${e.key} ${e.operator.toLowerCase()} (${e.values.join(",")})`,
    ),
  ];
  return parts.length === 0 ? "all" : parts.join(",");
}

export function peerText(peer: Peer): string {
  if (peer.ipBlock) return `ipBlock ${peer.ipBlock.cidr.text}${peer.ipBlock.except.length > 0 ? ` except ${peer.ipBlock.except.map((c) => c.text).join(", ")}` : ""}`;
  const pods = peer.podSelector ? `pods ${selectorText(peer.podSelector)}` : "pods all";
  return peer.namespaceSelector ? `${pods} in namespaces ${selectorText(peer.namespaceSelector)}` : `${pods} in the policy's namespace`;
}

export function portText(port: PolicyPort): string {
  if (port.port === undefined) return `all ${port.protocol} ports`;
  return `${port.port}${port.endPort !== undefined ? `-${port.endPort}` : ""}/${port.protocol}`;
}

function miss(m: RuleMatch, d: Direction): string {
  const list = d === "egress" ? "to" : "from";
  const peer = m.peer === null ? `no ${list} peer matches` : m.peer === "any" ? "any peer" : `${list}[${m.peer}] matches`;
  const port = m.port === null ? "no port matches" : m.port === "any" ? "any port" : `ports[${m.port}] matches`;
  return `${peer}; ${port}`;
}
