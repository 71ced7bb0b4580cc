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
  // Profiles share rules: each rule's parts made once per target's named ports (where they matter) and per tables.
  const named = rule.ports.some((p) => typeof p.port === "string");
  const cache = peerSets.partsCache(ports);
  const key = instanceKey(`${ruleKey(rule)}`, direction, named, target);
  let parts = cache.get(key);
  if (!parts) cache.set(key, (parts = makeParts(rule, policy, direction, target, peerSets, ports)));
  return parts;
}

/** A number per rule object, for cache keys. */
const ruleKeys = new WeakMap<Rule, number>();
function ruleKey(rule: Rule): number {
  let n = ruleKeys.get(rule);
  if (n === undefined) ruleKeys.set(rule, (n = nextRuleKey++));
  return n;
}
let nextRuleKey = 0;

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
