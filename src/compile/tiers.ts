/**
 * Admin tiers (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) in the
 * compiler's terms. Each admin rule, for one target identity, becomes a few *parts*: a set of
 * port classes times the peer classes it matches there — the same shape as a NetworkPolicy
 * rule's reason parts. profiles.ts walks them first-match into verdict rows (so the core's
 * decision stays one row lookup per side), reasons.ts lays them out for explainBatch.
 */
import { tierOrder } from "../model/tiers.js";
import type { AdminPolicy, AdminRule, Cluster, Direction } from "../model/types.js";
import { PROTOCOLS } from "../model/types.js";
import { type Identity, namedPortKey } from "./identities.js";
import type { PeerSets } from "./peers.js";
import { type RulePart, instanceKey } from "./parts.js";
import { type PortClasses, classOfPort, classesOfRange } from "./ports.js";
import { compileSelector } from "./selector.js";

/** The action a rule takes where it matches, after failing closed (ANP.md §5). */
export type TierAction = "Allow" | "Deny" | "Pass";

export interface TierRule {
  readonly id: number;
  readonly policy: AdminPolicy;
  readonly direction: Direction;
  readonly index: number;
  readonly rule: AdminRule;
}

/** The tiers in evaluation order, their rules numbered (tier rule ids), and which identities each policy selects. */
export class Tiers {
  readonly admin: readonly AdminPolicy[];
  readonly baseline: readonly AdminPolicy[];
  readonly rules: TierRule[] = [];
  private readonly ids = new Map<AdminRule, number>();
  private readonly subjects = new Map<AdminPolicy, (id: Identity) => boolean>();
  private readonly parts = new Map<string, { action: TierAction; parts: RulePart[] }>();
  private readonly order = new Map<AdminPolicy, number>();

  constructor(cluster: Cluster, private readonly peers: PeerSets, private readonly ports: PortClasses) {
    this.admin = tierOrder(cluster.adminPolicies, "admin");
    this.baseline = tierOrder(cluster.adminPolicies, "baseline");
    for (const policy of [...this.admin, ...this.baseline]) {
      this.order.set(policy, this.order.size);
      for (const direction of ["ingress", "egress"] as const) {
        policy[direction].forEach((rule, index) => {
          this.ids.set(rule, this.rules.length);
          this.rules.push({ id: this.rules.length, policy, direction, index, rule });
        });
      }
      const s = policy.subject;
      if (s.namespaces) {
        const ns = compileSelector(s.namespaces);
        this.subjects.set(policy, (id) => ns(id.namespaceLabels));
      } else {
        const ns = compileSelector(s.pods.namespaceSelector);
        const pod = compileSelector(s.pods.podSelector);
        this.subjects.set(policy, (id) => ns(id.namespaceLabels) && pod(id.labels));
      }
    }
  }

  /** A policy's place in evaluation order (admin tier first, then the baseline). */
  indexOf(policy: AdminPolicy): number {
    return this.order.get(policy)!;
  }

  get empty(): boolean {
    return this.admin.length + this.baseline.length === 0;
  }

  /** The policies of a tier whose subject holds the identity and that have rules in this direction, in order. */
  selecting(tier: "admin" | "baseline", id: Identity, direction: Direction): AdminPolicy[] {
    return (tier === "admin" ? this.admin : this.baseline).filter((p) => p[direction].length > 0 && this.subjects.get(p)!(id));
  }

  /** Does a policy's subject hold the identity? */
  selects(policy: AdminPolicy, id: Identity): boolean {
    return this.subjects.get(policy)!(id);
  }

  idOf(rule: AdminRule): number {
    return this.ids.get(rule)!;
  }

  /**
   * Where one rule matches for `target` (the subject pod's identity: ingress named ports
   * resolve on it), and what it does there. Cached per rule, and per target's named ports
   * when an ingress rule names ports. In the merged peer space of `peers`.
   */
  partsOf(rule: AdminRule, direction: Direction, target: Identity): { action: TierAction; parts: RulePart[] } {
    const named = rule.ports?.some((p) => p.kind === "named") ?? false;
    const key = instanceKey(`${this.idOf(rule)}`, direction, named, target);
    let entry = this.parts.get(key);
    if (!entry) {
      entry = this.build(rule, direction, target);
      this.parts.set(key, entry);
    }
    return entry;
  }

  private build(rule: AdminRule, direction: Direction, target: Identity): { action: TierAction; parts: RulePart[] } {
    // A peer of no known kind: an Allow rule matches nothing through it, Deny or Pass denies everything.
    if (rule.action !== "Allow" && rule.peers.some((p) => p.kind === "unknown")) return { action: "Deny", parts: [{ ports: "all", peers: this.peers.all }] };
    const peers = this.peers.ofAdminRule(rule);
    if (rule.ports === undefined) return { action: rule.action, parts: [{ ports: "all", peers }] };
    const parts: RulePart[] = [];
    for (const port of rule.ports) {
      if (port.kind === "number") parts.push({ ports: [classOfPort(this.ports, port.protocol, port.port)], peers });
      else if (port.kind === "range") parts.push({ ports: classesOfRange(this.ports, port.protocol, port.start, port.end), peers });
      else {
        // A named port resolves on the destination pod, for any protocol its container port has.
        for (const protocol of PROTOCOLS) {
          const key = namedPortKey(port.name, protocol);
          if (direction === "ingress") {
            const numbers = target.namedPorts.get(key) ?? [];
            if (numbers.length > 0) parts.push({ ports: numbers.map((n) => classOfPort(this.ports, protocol, n)), peers });
            continue;
          }
          for (const [n, destinations] of this.peers.named.get(key) ?? []) {
            parts.push({ ports: [classOfPort(this.ports, protocol, n)], peers: peers.map((w, i) => w & destinations[i]!) });
          }
        }
      }
    }
    return { action: rule.action, parts };
  }
}

/** Does any rule of these policies in this direction name a port (ingress named ports resolve on the subject)? */
export function tiersUseNamedPorts(policies: readonly AdminPolicy[], direction: Direction): boolean {
  return policies.some((p) => p[direction].some((r) => r.ports?.some((port) => port.kind === "named")));
}
