/**
 * The building blocks policies are written from: selectors for an app, namespace selectors in
 * every operator, peers, and ports (numeric or named, with the protocol written out or left
 * to default).
 */
import type * as api from "../load/api.js";
import { NAMESPACE_NAME_LABEL } from "../model/build.js";
import type { App } from "./apps.js";
import { INGRESS, KUBE_SYSTEM, type NamespaceInfo } from "./namespaces.js";
import type { Random } from "./random.js";
import { TEAMS } from "./vocabulary.js";

/**
 * Every builder returns fresh objects: a YAML writer would turn a shared object into an
 * anchor and aliases, which no hand-written manifest has.
 */
export function dnsPeer(): api.NetworkPolicyPeer {
  return { namespaceSelector: namespaceIs(KUBE_SYSTEM), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };
}

export function namespaceIs(name: string): api.LabelSelector {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: name } };
}

/** Selects an app's pods; now and then narrowed by an expression, as careful authors do. */
export function appSelector(rng: Random, app: App): api.LabelSelector {
  const matchLabels = { ...app.labels };
  delete matchLabels["app.kubernetes.io/part-of"];
  const r = rng.float();
  if (r < 0.06) return { matchLabels, matchExpressions: [{ key: "canary", operator: "DoesNotExist" }] };
  if (r < 0.1) return { matchLabels, matchExpressions: [{ key: "rollout", operator: "NotIn", values: ["green"] }] };
  if (app.tier !== undefined && r < 0.2) return { matchLabels: { app: app.labels.app! } };
  return { matchLabels };
}

/** A peer selecting source apps of the policy's own namespace. */
export function localPeer(rng: Random, sources: readonly App[]): api.NetworkPolicyPeer {
  const first = sources[0]!;
  const r = rng.float();
  if (r < 0.2 && first.tier !== undefined) return { podSelector: { matchLabels: { tier: first.tier } } };
  if (r < 0.4 && sources.length > 1 && sources.every((s) => s.labels.app !== undefined)) {
    const values = [...new Set(sources.map((s) => s.labels.app!))];
    return { podSelector: { matchExpressions: [{ key: "app", operator: "In", values }] } };
  }
  return { podSelector: appSelector(rng, first) };
}

/** A careful author's selector: every operator at once. */
function strictNamespaceSelector(ns: NamespaceInfo): api.LabelSelector {
  return {
    matchExpressions: [
      { key: "env", operator: "In", values: ["prod", "staging"] },
      { key: "team", operator: "NotIn", values: [ns.team === "ml" ? "ads" : "ml"] },
      { key: "pod-security.kubernetes.io/enforce", operator: "Exists" },
      { key: "compliance", operator: "DoesNotExist" },
    ],
  };
}

/** Namespace selectors in all four operators, and in the shapes people write them. */
export function namespaceSelector(rng: Random, ns: NamespaceInfo): api.LabelSelector {
  switch (rng.below(9)) {
    case 0: return { matchLabels: { team: ns.team } };
    case 1: return { matchLabels: { env: ns.env ?? "prod" } };
    case 2: return { matchExpressions: [{ key: "env", operator: "In", values: ["prod", "staging"] }] };
    case 3: return { matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] };
    case 4: return { matchExpressions: [{ key: "istio-injection", operator: "Exists" }] };
    case 5: return { matchLabels: { team: rng.pick(TEAMS) }, matchExpressions: [{ key: "compliance", operator: "DoesNotExist" }] };
    case 6: return namespaceIs(INGRESS);
    case 7: return strictNamespaceSelector(ns);
    default: return {};
  }
}

/**
 * A peer from other namespaces: namespace-only, or pod AND namespace in one peer. `strict`
 * asks for the every-operator selector, alone (the feature tour uses it).
 */
export function remotePeer(rng: Random, ns: NamespaceInfo, anyApp: App, strict = false): api.NetworkPolicyPeer {
  if (strict) return { namespaceSelector: strictNamespaceSelector(ns) };
  const selector = namespaceSelector(rng, ns);
  if (selector.matchLabels?.[NAMESPACE_NAME_LABEL] === INGRESS) {
    return { namespaceSelector: selector, podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } };
  }
  const empty = selector.matchLabels === undefined && selector.matchExpressions === undefined;
  if (!empty && rng.chance(0.5)) return { namespaceSelector: selector };
  const podSelector = rng.chance(0.5) ? { matchLabels: { tier: rng.pick(["frontend", "backend", "worker"]) } } : appSelector(rng, anyApp);
  return { namespaceSelector: selector, podSelector };
}

/** One of the app's container ports, by number or by name. */
export function appPort(rng: Random, port: api.ContainerPort, named: boolean): api.NetworkPolicyPort {
  const protocol = port.protocol ?? "TCP";
  const value = named && port.name ? port.name : port.containerPort!;
  return protocol !== "TCP" || rng.chance(0.5) ? { protocol, port: value } : { port: value };
}

/**
 * The app's serving port (its first), sometimes with others, up to `max`; a port it does not
 * have (a stale policy) when it has none.
 */
export function appPorts(rng: Random, app: App, max: number): api.NetworkPolicyPort[] {
  if (app.ports.length === 0) return [{ port: 8080 }];
  const [primary, ...others] = app.ports;
  const extra = rng.chance(0.7) ? 0 : rng.int(0, Math.min(max, app.ports.length) - 1);
  const ports = [primary!, ...rng.shuffle(others).slice(0, extra)];
  const named = rng.chance(0.45);
  return ports.map((p) => appPort(rng, p, named));
}

export function dnsRule(rng: Random): api.NetworkPolicyEgressRule {
  const r = rng.float();
  const ports: api.NetworkPolicyPort[] = r < 0.3
    ? [{ protocol: "UDP", port: "dns" }, { protocol: "TCP", port: "dns-tcp" }]
    : [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }];
  if (r > 0.9) return { ports };
  if (r > 0.75) return { to: [{ namespaceSelector: namespaceIs(KUBE_SYSTEM) }], ports };
  return { to: [dnsPeer()], ports };
}
