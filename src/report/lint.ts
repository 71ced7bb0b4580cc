/**
 * Findings about a policy set in its cluster: mistakes the API server accepts but a reviewer
 * would question. Each names the object (kind namespace/name) and the field path, the way
 * validation errors do. Pods are those with their own address (hostNetwork pods are not
 * policy endpoints); "matches no pod" is about the cluster as loaded.
 */
import type { AdminPolicy, AdminRule, Cluster, Direction, IPBlock, NetworkPolicy, Peer, Pod, PolicyPort, Rule } from "../model/types.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";
import { selectorMatches } from "../reference/selector.js";
import { cidrContains } from "../validate/ip.js";

export type Severity = "error" | "warning" | "info";

export interface Finding {
  readonly severity: Severity;
  /** A stable name for the kind of finding, for filtering in scripts. */
  readonly code: string;
  /** "NetworkPolicy shop/frontend". */
  readonly object: string;
  /** Field path inside the object, as the API server writes it: spec.ingress[0].from[1]. */
  readonly path: string;
  readonly message: string;
}

export const CODES = {
  selectsNothing: "selects-no-pod",
  peerMatchesNothing: "peer-matches-nothing",
  deadRule: "rule-matches-nothing",
  shadowed: "rule-shadowed",
  noDns: "egress-without-dns",
  adminPriorityShared: "admin-priority-shared",
  adminUnreachable: "admin-rule-unreachable",
  adminMatchesNothing: "admin-rule-matches-nothing",
  namedPortUndefined: "named-port-undefined",
  intendedAnd: "peers-look-like-and",
  allowAll: "rule-allows-all",
} as const;

const listName = (d: Direction) => (d === "ingress" ? "from" : "to");
const objectOf = (p: NetworkPolicy) => `NetworkPolicy ${p.namespace}/${p.name}`;

export function lint(cluster: Cluster): Finding[] {
  const findings: Finding[] = [];
  const pods = cluster.pods.filter((p) => p.ips.length > 0);
  const selected = (policy: NetworkPolicy) => pods.filter((p) => p.namespace === policy.namespace && selectorMatches(policy.podSelector, p.labels));
  const ref = new ReferenceEvaluator(cluster);
  const peerPods = (peer: Peer, policy: NetworkPolicy): Pod[] => pods.filter((p) => ref.peerMatchesPod(peer, policy, p));
  const add = (severity: Severity, code: string, policy: NetworkPolicy, path: string, message: string) => findings.push({ severity, code, object: objectOf(policy), path, message });

  for (const policy of cluster.policies) {
    const targets = selected(policy);
    if (targets.length === 0) {
      add("warning", CODES.selectsNothing, policy, "spec.podSelector", `selects no pod (with an address of its own) in namespace ${policy.namespace}: the policy has no effect`);
    }
    for (const direction of ["ingress", "egress"] as const) {
      if (!policy.policyTypes[direction]) continue;
      const rules = policy[direction];
      rules.forEach((rule, r) => {
        const at = `spec.${direction}[${r}]`;
        const list = listName(direction);
        if (rule.peers.length === 0 && rule.ports.length === 0) {
          add("warning", CODES.allowAll, policy, at, `allows all ${direction} traffic (${direction === "ingress" ? "from anywhere" : "to anywhere"}, on every port) for the pods it selects`);
        }
        // Peers that match nothing, and the classic two-items-instead-of-one mistake.
        const matched = rule.peers.map((peer) => (peer.ipBlock ? undefined : peerPods(peer, policy)));
        rule.peers.forEach((peer, k) => {
          const m = matched[k];
          if (m && m.length === 0) {
            const nsOnly = peer.namespaceSelector && !peer.podSelector;
            const namespaces = nsOnly ? cluster.namespaces.filter((n) => selectorMatches(peer.namespaceSelector!, n.labels)).length : 1;
            add("warning", CODES.peerMatchesNothing, policy, `${at}.${list}[${k}]`, nsOnly && namespaces === 0 ? "matches no namespace" : "matches no pod");
          }
          const next = rule.peers[k + 1];
          if (next && isOnly(peer, "namespaceSelector") && isOnly(next, "podSelector")) {
            add(
              "warning",
              CODES.intendedAnd,
              policy,
              `${at}.${list}[${k}]`,
              `${list}[${k}] (namespaceSelector only) and ${list}[${k + 1}] (podSelector only) are two peers, either of which matches: pods of those namespaces OR pods of this namespace. For pods matching both, write one item with both selectors`,
            );
          }
        });
        const noPeer = rule.peers.length > 0 && rule.peers.every((peer, k) => !peer.ipBlock && matched[k]!.length === 0);
        // Named ports: ingress resolves on the selected pods, egress on the peers.
        const resolvers = direction === "ingress" ? targets : rule.peers.length === 0 ? pods : [...new Set(matched.flatMap((m) => m ?? []))];
        const deadPorts = rule.ports.map((port, j) => {
          if (typeof port.port !== "string") return false;
          const defined = resolvers.some((p) => p.ports.some((c) => c.name === port.port && c.protocol === port.protocol));
          if (!defined) {
            const where = direction === "ingress" ? "pods this policy selects" : "pods this rule may reach";
            add("warning", CODES.namedPortUndefined, policy, `${at}.ports[${j}].port`, `no ${where} define${resolvers.length === 1 ? "s" : ""} a ${port.protocol} container port named ${JSON.stringify(port.port)}`);
          }
          return !defined;
        });
        const noPort = rule.ports.length > 0 && deadPorts.every(Boolean);
        if (noPeer || noPort) {
          add("error", CODES.deadRule, policy, at, `can never allow anything in this cluster: ${noPeer ? `none of its peers matches a pod` : "none of its ports exists on the pods it would apply to"}`);
        }
        // Shadowed: an earlier or later rule of the same list allows everything this one does
        // (a rule that allows nothing is reported as such, not as shadowed).
        const cover = noPeer || noPort ? -1 : rules.findIndex((other, o) => o !== r && !(o > r && covers(rule, other, policy, peerPods)) && covers(other, rule, policy, peerPods));
        if (cover >= 0) {
          add("warning", CODES.shadowed, policy, at, `allows nothing that ${direction}[${cover}] of this policy does not allow already (peers and ports included in it)`);
        }
      });
    }
  }
  findings.push(...dnsFindings(cluster, ref, pods, peerPods), ...lintAdminTiers(cluster, ref));
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => order[a.severity] - order[b.severity] || a.object.localeCompare(b.object) || a.path.localeCompare(b.path));
}

function isOnly(peer: Peer, field: "namespaceSelector" | "podSelector"): boolean {
  if (peer.ipBlock) return false;
  return field === "namespaceSelector" ? peer.namespaceSelector !== undefined && peer.podSelector === undefined : peer.podSelector !== undefined && peer.namespaceSelector === undefined;
}


/** Does rule `a` allow everything rule `b` allows? Peers over the cluster's pods and ipBlock ranges; ports as written. */
function covers(a: Rule, b: Rule, policy: NetworkPolicy, peerPods: (peer: Peer, policy: NetworkPolicy) => Pod[]): boolean {
  if (!portsCover(a.ports, b.ports)) return false;
  if (a.peers.length === 0) return true;
  if (b.peers.length === 0) return false;
  const podsOfA = new Set(a.peers.flatMap((p) => peerPods(p, policy)));
  return b.peers.every((peer) => {
    if (peer.ipBlock) return a.peers.some((q) => q.ipBlock && blockCovers(q.ipBlock, peer.ipBlock!));
    return peerPods(peer, policy).every((p) => podsOfA.has(p));
  });
}

/** Every address of b is in a: b's range inside a's, and each hole of a lies in a hole of b. */
function blockCovers(a: IPBlock, b: IPBlock): boolean {
  const inside = (outer: IPBlock["cidr"], inner: IPBlock["cidr"]) => outer.family === inner.family && outer.prefix <= inner.prefix && cidrContains(outer, { family: inner.family, bytes: inner.bytes, text: inner.text });
  if (!inside(a.cidr, b.cidr)) return false;
  return a.except.every((hole) => !overlaps(hole, b.cidr) || b.except.some((h) => inside(h, hole)));
}

function overlaps(x: IPBlock["cidr"], y: IPBlock["cidr"]): boolean {
  if (x.family !== y.family) return false;
  const [outer, inner] = x.prefix <= y.prefix ? [x, y] : [y, x];
  return cidrContains(outer, { family: inner.family, bytes: inner.bytes, text: inner.text });
}

function portsCover(a: readonly PolicyPort[], b: readonly PolicyPort[]): boolean {
  if (a.length === 0) return true;
  if (b.length === 0) return false;
  return b.every((pb) =>
    a.some((pa) => {
      if (pa.protocol !== pb.protocol) return false;
      if (pa.port === undefined) return true;
      if (typeof pa.port === "string" || typeof pb.port === "string") return pa.port === pb.port;
      if (pb.port === undefined) return false;
      return pa.port <= pb.port && (pb.endPort ?? pb.port) <= (pa.endPort ?? pa.port);
    }),
  );
}

/** An admin policy with egress rules selects the pod: an ANP rule may decide its DNS traffic, so the check leaves it out. */
function adminEgress(cluster: Cluster, ref: ReferenceEvaluator, pod: Pod): boolean {
  return (cluster.adminPolicies ?? []).some((t) => t.tier === "admin" && t.egress.length > 0 && ref.subjectSelects(t, pod));
}

/** Pods isolated for egress whose policies allow UDP port 53 to no DNS server: name resolution breaks. */
function dnsFindings(cluster: Cluster, ref: ReferenceEvaluator, pods: readonly Pod[], peerPods: (peer: Peer, policy: NetworkPolicy) => Pod[]): Finding[] {
  const bySet = new Map<string, { policies: NetworkPolicy[]; pods: Pod[] }>();
  for (const pod of pods) {
    const isolating = ref.isolating(pod, "egress");
    if (isolating.length === 0 || adminEgress(cluster, ref, pod)) continue;
    const key = isolating.map((p) => `${p.namespace}/${p.name}`).join(",");
    const entry = bySet.get(key) ?? { policies: isolating, pods: [] };
    entry.pods.push(pod);
    bySet.set(key, entry);
  }
  // DNS servers: pods serving UDP 53 (coredns, kube-dns). Without any in the cluster, UDP 53 to anywhere counts.
  const servers = pods.filter((p) => p.ports.some((c) => c.protocol === "UDP" && c.containerPort === 53));
  const findings: Finding[] = [];
  for (const { policies, pods: isolated } of bySet.values()) {
    const dns = policies.some((policy) =>
      policy.egress.some((rule) => {
        // The DNS servers (or, with none known, any pod) this rule reaches.
        const reachable = rule.peers.length === 0 ? (servers.length > 0 ? servers : pods) : rule.peers.flatMap((p) => peerPods(p, policy));
        const targets = servers.length > 0 ? reachable.filter((p) => servers.includes(p)) : reachable;
        const anywhere = servers.length === 0 && (rule.peers.length === 0 || rule.peers.some((p) => p.ipBlock));
        if (targets.length === 0 && !anywhere) return false;
        return (
          rule.ports.length === 0 ||
          rule.ports.some((port) => {
            if (port.protocol !== "UDP") return false;
            if (port.port === undefined) return true;
            if (typeof port.port === "number") return port.port <= 53 && 53 <= (port.endPort ?? port.port);
            // A named port resolves on the destination: on a server the rule reaches.
            return targets.some((p) => p.ports.some((c) => c.name === port.port && c.protocol === "UDP" && c.containerPort === 53));
          })
        );
      }),
    );
    if (dns) continue;
    const first = policies[0]!;
    const names = isolated.slice(0, 3).map((p) => p.name).join(", ") + (isolated.length > 3 ? `, … (${isolated.length} pods)` : "");
    findings.push({
      severity: "warning",
      code: CODES.noDns,
      object: objectOf(first),
      path: "spec.policyTypes",
      message: `pods isolated for egress by ${policies.map((p) => p.name).join(", ")} (${names}) may not send DNS queries: no egress rule of these policies allows UDP port 53${servers.length > 0 ? ` to a DNS server (${servers.slice(0, 2).map((p) => `${p.namespace}/${p.name}`).join(", ")}${servers.length > 2 ? ", …" : ""})` : ""}`,
    });
  }
  return findings;
}

/**
 * Findings about the admin tiers: AdminNetworkPolicies of one priority whose subjects share a
 * pod (which applies first is implementation-defined), and rules that can never decide because
 * a rule before them — earlier in the same policy, or in a policy of higher precedence that
 * selects every pod this one does — matches everything they match.
 */
export function lintAdminTiers(cluster: Cluster, ref = new ReferenceEvaluator(cluster)): Finding[] {
  const tiers = cluster.adminPolicies ?? [];
  if (tiers.length === 0) return [];
  const pods = cluster.pods.filter((p) => p.ips.length > 0);
  const subjects = new Map(tiers.map((t) => [t, new Set(pods.filter((p) => ref.subjectSelects(t, p)))]));
  const kindOf = (t: AdminPolicy) => (t.tier === "admin" ? "AdminNetworkPolicy" : "BaselineAdminNetworkPolicy");
  const findings: Finding[] = [];

  const admins = tiers.filter((t) => t.tier === "admin").sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : 1));
  for (let i = 0; i < admins.length; i++) {
    for (let j = i + 1; j < admins.length && admins[j]!.priority === admins[i]!.priority; j++) {
      const [a, b] = [admins[i]!, admins[j]!];
      const shared = [...subjects.get(a)!].filter((p) => subjects.get(b)!.has(p));
      if (shared.length === 0) continue;
      findings.push({
        severity: "warning", code: "admin-priority-shared", object: `AdminNetworkPolicy ${a.name}`, path: "spec.priority",
        message: `has priority ${a.priority}, like AdminNetworkPolicy ${b.name}, and both select ${shared.length} pod${shared.length === 1 ? "" : "s"} (${shared.slice(0, 2).map((p) => `${p.namespace}/${p.name}`).join(", ")}${shared.length > 2 ? ", …" : ""}): which applies first is implementation-defined (netpol-wasm: by name)`,
      });
    }
  }

  const matchedPods = (r: AdminRule) => new Set(pods.filter((p) => r.peers.some((peer) => ref.adminPeerMatchesPod(peer, p))));
  const coversPeers = (q: AdminRule, r: AdminRule) => {
    if (r.peers.some((p) => p.kind === "unknown" || p.kind === "nodes") || q.peers.some((p) => p.kind === "unknown")) return false;
    const qPods = matchedPods(q);
    if (![...matchedPods(r)].every((p) => qPods.has(p))) return false;
    const qNets = q.peers.flatMap((p) => (p.kind === "networks" ? p.cidrs : []));
    // An address outside the pods is matched only by networks peers: each of r's must lie in one of q's.
    return r.peers.every((p) => p.kind !== "networks" || p.cidrs.every((c) => qNets.some((n) => n.family === c.family && n.prefix <= c.prefix && cidrContains(n, { family: c.family, bytes: c.bytes, text: c.text }))));
  };
  const coversPorts = (q: AdminRule, r: AdminRule) => {
    if (q.ports === undefined) return true;
    if (r.ports === undefined) return false;
    return r.ports.every((rp) =>
      q.ports!.some((qp) => {
        if (rp.kind === "named" || qp.kind === "named") return rp.kind === "named" && qp.kind === "named" && rp.name === qp.name;
        if (qp.protocol !== rp.protocol) return false;
        const [lo, hi] = rp.kind === "number" ? [rp.port, rp.port] : [rp.start, rp.end];
        return qp.kind === "number" ? lo === qp.port && hi === qp.port : qp.start <= lo && hi <= qp.end;
      }),
    );
  };
  const order = [...admins, ...tiers.filter((t) => t.tier === "baseline")];
  for (const [k, t] of order.entries()) {
    const mine = subjects.get(t)!;
    for (const direction of ["ingress", "egress"] as const) {
      t[direction].forEach((r, ri) => {
        if (mine.size > 0 && matchedPods(r).size === 0 && r.peers.every((p) => p.kind === "namespaces" || p.kind === "pods")) {
          findings.push({ severity: "warning", code: "admin-rule-matches-nothing", object: `${kindOf(t)} ${t.name}`, path: `spec.${direction}[${ri}]`, message: "none of its peers matches a pod: the rule never decides" });
          return;
        }
        // Rules before this one that apply to every pod this policy selects.
        const before: { policy: AdminPolicy; index: number; rule: AdminRule }[] = [];
        for (const earlier of order.slice(0, k)) {
          if (earlier.tier === "baseline") continue;
          const theirs = subjects.get(earlier)!;
          if ([...mine].every((p) => theirs.has(p))) earlier[direction].forEach((rule, index) => before.push({ policy: earlier, index, rule }));
        }
        t[direction].slice(0, ri).forEach((rule, index) => before.push({ policy: t, index, rule }));
        const cover = before.find((b) => coversPorts(b.rule, r) && coversPeers(b.rule, r));
        if (!cover || mine.size === 0) return;
        const where = cover.policy === t ? `${direction}[${cover.index}] of this policy` : `${kindOf(cover.policy)} ${cover.policy.name} ${direction}[${cover.index}] (decided first)`;
        findings.push({ severity: "warning", code: "admin-rule-unreachable", object: `${kindOf(t)} ${t.name}`, path: `spec.${direction}[${ri}]`, message: `never decides: ${where} matches every connection it matches, for every pod it applies to` });
      });
    }
  }
  return findings;
}
