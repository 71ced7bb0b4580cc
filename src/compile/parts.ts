/**
 * Rules as *parts*: a set of port classes times the peer classes a rule matches there. Verdict
 * rows (profiles.ts) OR a NetworkPolicy rule's parts into a profile's rows; reasons (reasons.ts)
 * lay the same parts out for explainBatch; admin rules (tiers.ts) have parts of the same shape.
 */
import type { Direction, NetworkPolicy, Rule } from "../model/types.js";
import { type Identity, namedPortKey } from "./identities.js";
import type { PeerSets } from "./peers.js";
import { type PortClasses, classOfPort, classesOfRange } from "./ports.js";

/** Where a rule matches: these port classes ("all": every one) and these peer classes. */
export interface RulePart {
  readonly ports: readonly number[] | "all";
  readonly peers: Uint32Array;
}

/**
 * A rule's parts for one target identity. Ingress named ports resolve on the target (the
 * selected pod), egress named ports on each destination: those parts keep only the peers
 * with that named port at that number.
 */
export function networkPolicyParts(rule: Rule, policy: NetworkPolicy, direction: Direction, target: Identity, peerSets: PeerSets, ports: PortClasses): RulePart[] {
  // Profiles share rules: each rule's parts made once per tables, and per target's named ports
  // where they matter (ingress named ports resolve on the target).
  const cache = peerSets.partsCache(ports);
  const perTarget = direction === "ingress" && rule.ports.some((p) => typeof p.port === "string");
  const cached = cache.get(rule);
  if (!perTarget) {
    if (cached) return cached as RulePart[];
    const parts = makeParts(rule, policy, direction, target, peerSets, ports);
    cache.set(rule, parts);
    return parts;
  }
  const byTarget = (cached as Map<string, RulePart[]> | undefined) ?? new Map<string, RulePart[]>();
  cache.set(rule, byTarget);
  const key = instanceKey("", direction, true, target);
  let parts = byTarget.get(key);
  if (!parts) byTarget.set(key, (parts = makeParts(rule, policy, direction, target, peerSets, ports)));
  return parts;
}

function makeParts(rule: Rule, policy: NetworkPolicy, direction: Direction, target: Identity, peerSets: PeerSets, ports: PortClasses): RulePart[] {
  const peers = peerSets.ofRule(rule, policy);
  if (rule.ports.length === 0) return [{ ports: "all", peers }];
  const parts: RulePart[] = [];
  for (const port of rule.ports) {
    if (typeof port.port !== "string") {
      const [from, to] = port.port === undefined ? [0, 65535] : [port.port, port.endPort ?? port.port];
      parts.push({ ports: classesOfRange(ports, port.protocol, from, to), peers });
      continue;
    }
    const key = namedPortKey(port.port, port.protocol);
    if (direction === "ingress") {
      parts.push({ ports: (target.namedPorts.get(key) ?? []).map((n) => classOfPort(ports, port.protocol, n)), peers });
      continue;
    }
    for (const [n, destinations] of peerSets.named.get(key) ?? []) {
      parts.push({ ports: [classOfPort(ports, port.protocol, n)], peers: peers.map((w, i) => w & destinations[i]!) });
    }
  }
  return parts;
}

/** A rule's instance for a target: ingress named ports resolve on the selected pod, so the instance depends on its named ports. */
export function instanceKey(rule: string, direction: Direction, named: boolean, target: Identity): string {
  return direction === "ingress" && named ? `${rule}:${JSON.stringify([...target.namedPorts])}` : rule;
}
