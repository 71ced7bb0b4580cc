/**
 * The executable spec: SEMANTICS.md read aloud, one flow at a time. Plain on purpose — every
 * later engine is tested against this file, so it favours being obviously right over being
 * fast. The only index is address → pod, which is how a flow names its endpoints.
 */
import type {
  AdminAction, AdminPeer, AdminPolicy, AdminPort, AdminRule, Cluster, Direction, Explanation, Flow, IPAddress, Namespace, NetworkPolicy, Peer, Pod,
  PolicyPort, Protocol, Reason, Rule, Verdict,
} from "../model/types.js";
import { tierOrder } from "../model/tiers.js";
import { cidrContains, toIPAddress } from "../validate/ip.js";
import { selectorMatches } from "./selector.js";

export type { Flow };

/** One side of a connection as a policy sees it: an address, and the pod behind it if any. */
interface Endpoint {
  readonly address: IPAddress;
  readonly pod: Pod | undefined;
}

export class ReferenceEvaluator {
  private readonly podsByAddress = new Map<string, Pod>();
  private readonly namespaces = new Map<string, Namespace>();
  private readonly indexOf = new Map<NetworkPolicy, number>();
  /** AdminNetworkPolicies by ascending priority, ties by name (ANP.md §3: deterministic); the baseline. */
  private readonly admin: readonly AdminPolicy[];
  private readonly baseline: readonly AdminPolicy[];

  constructor(readonly cluster: Cluster) {
    for (const pod of cluster.pods) for (const ip of pod.ips) this.podsByAddress.set(ip.text, pod);
    for (const ns of cluster.namespaces) this.namespaces.set(ns.name, ns);
    cluster.policies.forEach((p, i) => this.indexOf.set(p, i));
    this.admin = tierOrder(cluster.adminPolicies, "admin");
    // Baseline-tier ClusterNetworkPolicies have priorities too (the v1alpha1 baseline is one policy).
    this.baseline = tierOrder(cluster.adminPolicies, "baseline");
  }

  /** Convenience form: addresses as text. */
  decide(src: string, dst: string, protocol: Protocol, port: number): Verdict {
    return this.decideFlow({ src: toIPAddress(src), dst: toIPAddress(dst), protocol, port });
  }

  decideFlow(flow: Flow): Verdict {
    const src: Endpoint = { address: flow.src, pod: this.podsByAddress.get(flow.src.text) };
    const dst: Endpoint = { address: flow.dst, pod: this.podsByAddress.get(flow.dst.text) };
    // A pod talking to itself is not subject to policy.
    if (src.pod !== undefined && src.pod === dst.pod) return "allow";
    const egress = src.pod === undefined || this.directionAllowsInTiers(src.pod, "egress", dst, dst, flow);
    const ingress = dst.pod === undefined || this.directionAllowsInTiers(dst.pod, "ingress", src, dst, flow);
    return egress && ingress ? "allow" : "deny";
  }

  /**
   * One direction of one pod through the tiers (SEMANTICS.md "Tiers", ANP.md §2): the admin
   * tier's first matching rule (Allow and Deny final, Pass on to NetworkPolicy); NetworkPolicy
   * if it isolates the pod; the baseline's first matching rule; otherwise allowed.
   */
  private directionAllowsInTiers(pod: Pod, direction: Direction, peer: Endpoint, destination: Endpoint, flow: Flow): boolean {
    const admin = this.tierDecision(this.admin, pod, direction, peer, destination, flow);
    if (admin && admin.action !== "Pass") return admin.action === "Allow";
    const policies = this.isolating(pod, direction);
    if (policies.length > 0) return this.policiesAllow(policies, direction, peer, destination, flow);
    const baseline = this.tierDecision(this.baseline, pod, direction, peer, destination, flow);
    // Pass in the baseline tier (ClusterNetworkPolicy) goes on to the default: allowed.
    return baseline === undefined || baseline.action !== "Deny";
  }

  /** The first rule of the tier's policies selecting the pod (in order) that matches; undefined if none. */
  private tierDecision(
    tier: readonly AdminPolicy[], pod: Pod, direction: Direction, peer: Endpoint, destination: Endpoint, flow: Flow,
  ): { policy: AdminPolicy; rule: number; action: AdminAction } | undefined {
    for (const policy of tier) {
      if (!this.subjectSelects(policy, pod)) continue;
      const rules = policy[direction];
      for (let r = 0; r < rules.length; r++) {
        const action = this.adminRuleAction(rules[r]!, peer, destination, flow);
        if (action) return { policy, rule: r, action };
      }
    }
    return undefined;
  }

  /** Does an admin policy's subject select the pod (its namespace, and for `pods` its labels)? */
  subjectSelects(policy: AdminPolicy, pod: Pod): boolean {
    const nsLabels = this.namespaces.get(pod.namespace)!.labels;
    const s = policy.subject;
    if (s.namespaces) return selectorMatches(s.namespaces, nsLabels);
    return selectorMatches(s.pods.namespaceSelector, nsLabels) && selectorMatches(s.pods.podSelector, pod.labels);
  }

  /**
   * The action a rule takes on a flow, or undefined when it does not match. A peer this tool
   * does not know fails closed (ANP.md §5): an Allow rule matches nothing through it, a Deny or
   * Pass rule denies everything.
   */
  private adminRuleAction(rule: AdminRule, peer: Endpoint, destination: Endpoint, flow: Flow): AdminAction | undefined {
    if (rule.action !== "Allow" && rule.peers.some((p) => p.kind === "unknown")) return "Deny";
    if (!rule.peers.some((p) => this.adminPeerMatches(p, peer))) return undefined;
    if (rule.ports !== undefined && !rule.ports.some((p) => adminPortMatches(p, destination.pod, flow))) return undefined;
    return rule.action;
  }

  private adminPeerMatches(p: AdminPeer, endpoint: Endpoint): boolean {
    switch (p.kind) {
      case "namespaces":
        return endpoint.pod !== undefined && selectorMatches(p.namespaceSelector, this.namespaces.get(endpoint.pod.namespace)!.labels);
      case "pods":
        return (
          endpoint.pod !== undefined &&
          selectorMatches(p.namespaceSelector, this.namespaces.get(endpoint.pod.namespace)!.labels) &&
          selectorMatches(p.podSelector, endpoint.pod.labels)
        );
      case "networks":
        // Any address in the CIDRs, pod addresses included.
        return p.cidrs.some((c) => cidrContains(c, endpoint.address));
      case "nodes":
        return (this.cluster.nodes ?? []).some((n) => selectorMatches(p.nodeSelector, n.labels) && n.addresses.some((a) => a.text === endpoint.address.text));
      case "unknown":
        return false;
    }
  }

  /**
   * The verdict and, per direction, why: the first rule that allowed (policies in cluster
   * order, rules in order), or the policies that isolate the side when none did.
   */
  explainFlow(flow: Flow): Explanation {
    const src: Endpoint = { address: flow.src, pod: this.podsByAddress.get(flow.src.text) };
    const dst: Endpoint = { address: flow.dst, pod: this.podsByAddress.get(flow.dst.text) };
    if (src.pod !== undefined && src.pod === dst.pod) return { verdict: "allow", egress: SELF, ingress: SELF };
    const egress = src.pod === undefined ? NONE : this.tieredReason(src.pod, "egress", dst, dst, flow);
    const ingress = dst.pod === undefined ? NONE : this.tieredReason(dst.pod, "ingress", src, dst, flow);
    return { verdict: denies(egress) || denies(ingress) ? "deny" : "allow", egress, ingress };
  }

  /** directionAllowsInTiers, saying why. */
  private tieredReason(pod: Pod, direction: Direction, peer: Endpoint, destination: Endpoint, flow: Flow): Reason {
    const admin = this.tierDecision(this.admin, pod, direction, peer, destination, flow);
    if (admin && admin.action !== "Pass") return { kind: "tier", tier: "admin", policy: admin.policy.name, rule: admin.rule, action: admin.action };
    const passed = admin ? { passed: { policy: admin.policy.name, rule: admin.rule } } : {};
    const np = this.directionReason(pod, direction, peer, destination, flow);
    if (np.kind !== "none") return { ...np, ...passed } as Reason;
    const base = this.tierDecision(this.baseline, pod, direction, peer, destination, flow);
    if (base && base.action !== "Pass") return { kind: "tier", tier: "baseline", policy: base.policy.name, rule: base.rule, action: base.action, ...passed };
    return { kind: "none", ...passed };
  }

  private directionReason(pod: Pod, direction: Direction, peer: Endpoint, destination: Endpoint, flow: Flow): Reason {
    const policies = this.isolating(pod, direction);
    if (policies.length === 0) return NONE;
    for (const policy of policies) {
      const rule = policy[direction].findIndex((r) => this.ruleMatches(r, policy, peer, destination, flow));
      if (rule >= 0) return { kind: "allowed", policy: this.indexOf.get(policy)!, rule };
    }
    return { kind: "denied", policies: policies.map((p) => this.indexOf.get(p)!) };
  }

  /**
   * How one rule meets a flow, for explanations: the index of the first peer and of the first
   * port that match ("any" for an empty list, null when none does). The rule matches when both
   * are non-null. `direction` is the rule's: egress rules judge the destination, ingress the source.
   */
  ruleMatch(policy: NetworkPolicy, direction: Direction, ruleIndex: number, flow: Flow): { peer: number | "any" | null; port: number | "any" | null } {
    const rule = policy[direction][ruleIndex]!;
    const src: Endpoint = { address: flow.src, pod: this.podsByAddress.get(flow.src.text) };
    const dst: Endpoint = { address: flow.dst, pod: this.podsByAddress.get(flow.dst.text) };
    const far = direction === "egress" ? dst : src;
    const first = <T>(list: readonly T[], ok: (x: T) => boolean) => (list.length === 0 ? "any" : ((i) => (i < 0 ? null : i))(list.findIndex(ok)));
    return { peer: first(rule.peers, (p) => this.peerMatches(p, policy, far)), port: first(rule.ports, (p) => portMatches(p, dst.pod, flow)) };
  }

  /** Does a NetworkPolicy peer of `policy` match the pod (at any of its addresses)? For tools such as lint. */
  peerMatchesPod(peer: Peer, policy: NetworkPolicy, pod: Pod): boolean {
    return pod.ips.some((address) => this.peerMatches(peer, policy, { address, pod }));
  }

  /** Does an admin-rule peer match the pod (at any of its addresses)? */
  adminPeerMatchesPod(peer: AdminPeer, pod: Pod): boolean {
    return pod.ips.some((address) => this.adminPeerMatches(peer, { address, pod }));
  }

  /** The pod behind an address, if any. */
  podAt(address: IPAddress): Pod | undefined {
    return this.podsByAddress.get(address.text);
  }

  /** Policies in the pod's namespace that select it and have this direction in policyTypes. */
  isolating(pod: Pod, direction: Direction): NetworkPolicy[] {
    return this.cluster.policies.filter(
      (p) => p.namespace === pod.namespace && p.policyTypes[direction] && selectorMatches(p.podSelector, pod.labels),
    );
  }

  /** Does any rule of these (isolating) policies allow the flow? */
  private policiesAllow(policies: readonly NetworkPolicy[], direction: Direction, peer: Endpoint, destination: Endpoint, flow: Flow): boolean {
    return policies.some((policy) =>
      policy[direction].some((rule) => this.ruleMatches(rule, policy, peer, destination, flow)),
    );
  }

  private ruleMatches(rule: Rule, policy: NetworkPolicy, peer: Endpoint, destination: Endpoint, flow: Flow): boolean {
    const peerOk = rule.peers.length === 0 || rule.peers.some((p) => this.peerMatches(p, policy, peer));
    const portOk = rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, destination.pod, flow));
    return peerOk && portOk;
  }

  private peerMatches(peer: Peer, policy: NetworkPolicy, endpoint: Endpoint): boolean {
    if (peer.ipBlock !== undefined) {
      const { cidr, except } = peer.ipBlock;
      return cidrContains(cidr, endpoint.address) && !except.some((e) => cidrContains(e, endpoint.address));
    }
    // Pod and namespace selectors select pods, never bare addresses.
    const pod = endpoint.pod;
    if (pod === undefined) return false;
    const namespaceOk =
      peer.namespaceSelector !== undefined
        ? selectorMatches(peer.namespaceSelector, this.namespaces.get(pod.namespace)!.labels)
        : pod.namespace === policy.namespace;
    const podOk = peer.podSelector === undefined || selectorMatches(peer.podSelector, pod.labels);
    return namespaceOk && podOk;
  }
}

/** Admin ports match the destination port; a named port resolves on the destination pod's containers. */
function adminPortMatches(p: AdminPort, destination: Pod | undefined, flow: Flow): boolean {
  switch (p.kind) {
    case "number":
      return p.protocol === flow.protocol && p.port === flow.port;
    case "range":
      return p.protocol === flow.protocol && flow.port >= p.start && flow.port <= p.end;
    case "named":
      return destination !== undefined && destination.ports.some((c) => c.name === p.name && c.protocol === flow.protocol && c.containerPort === flow.port);
  }
}

const NONE: Reason = { kind: "none" };
const denies = (r: Reason) => r.kind === "denied" || (r.kind === "tier" && r.action === "Deny");
const SELF: Reason = { kind: "self" };

/** Ports always describe the destination; a named port resolves on the destination pod. */
function portMatches(p: PolicyPort, destination: Pod | undefined, flow: Flow): boolean {
  if (p.protocol !== flow.protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === "number") return flow.port >= p.port && flow.port <= (p.endPort ?? p.port);
  if (destination === undefined) return false;
  return destination.ports.some(
    (c) => c.name === p.port && c.protocol === flow.protocol && c.containerPort === flow.port,
  );
}

