/**
 * The kinds of NetworkPolicy real clusters are made of, one function each: namespace
 * default-denies, DNS egress, app-to-app allows, cross-namespace allows, external egress and
 * ingress through ipBlocks, monitoring scrapes, UDP/SCTP services, allow-alls, database
 * lock-downs and three-tier policies. A kind returns undefined when it does not apply to the
 * namespace (it already has one of its kind), and the caller draws another.
 */
import type * as api from "../load/api.js";
import type { App } from "./apps.js";
import type { BlockPicker } from "./cidrs.js";
import { MONITORING, type NamespaceInfo } from "./namespaces.js";
import { appPorts, appSelector, dnsRule, localPeer, namespaceIs, remotePeer } from "./peers.js";
import type { Random } from "./random.js";

export interface PolicyContext {
  readonly rng: Random;
  /** Apps that can be policy targets (not on the host network), by namespace. */
  readonly apps: ReadonlyMap<string, readonly App[]>;
  readonly allApps: readonly App[];
  readonly blocks: BlockPicker;
  /** `${kind}/${namespace}` for the kinds a namespace has at most one of. */
  readonly once: Set<string>;
  /** Namespaces with a default deny of egress, in the order they got it. */
  readonly egressDenied: string[];
}

export interface Draft {
  readonly name: string;
  readonly spec: api.NetworkPolicySpec;
  /** When the kind chose another namespace than the one offered. */
  readonly namespace?: string;
}

export type PolicyKind = (ctx: PolicyContext, ns: NamespaceInfo) => Draft | undefined;

type Types = api.NetworkPolicySpec["policyTypes"];

/** A policy left behind by an app that is gone: it selects nothing, which real clusters have too. */
function phantom(ns: NamespaceInfo): App {
  return {
    namespace: ns.name, name: "legacy-api", tier: "backend", labels: { app: "legacy-api", tier: "backend" },
    ports: [{ name: "http", containerPort: 8080 }], replicas: 0, kind: "Deployment", hostNetwork: false,
  };
}

function appIn(ctx: PolicyContext, ns: NamespaceInfo, accept: (a: App) => boolean = () => true): App {
  const apps = (ctx.apps.get(ns.name) ?? []).filter(accept);
  return apps.length > 0 ? ctx.rng.pick(apps) : phantom(ns);
}

function firstTime(ctx: PolicyContext, key: string): boolean {
  if (ctx.once.has(key)) return false;
  ctx.once.add(key);
  return true;
}

function firstOnly(ctx: PolicyContext, kind: string, ns: NamespaceInfo): boolean {
  return firstTime(ctx, `${kind}/${ns.name}`);
}

/** Up to n ipBlock peers with distinct CIDRs (a block not used before never repeats one). */
function blocks(ctx: PolicyContext, n: number): api.NetworkPolicyPeer[] {
  const picked = new Map<string, api.IPBlock>();
  for (let i = 0; i < 2 * n && picked.size < n; i++) {
    const block = ctx.blocks.pick();
    if (!picked.has(block.cidr!)) picked.set(block.cidr!, block);
  }
  return [...picked.values()].map((ipBlock) => ({ ipBlock }));
}

export const defaultDeny: PolicyKind = (ctx, ns) => {
  if (!firstOnly(ctx, "deny", ns)) return undefined;
  // Denying egress means writing an allow for every dependency, so fewer teams do it.
  const types: [string[], number][] = ns.env === "prod"
    ? [[["Ingress", "Egress"], 3], [["Ingress"], 5], [["Egress"], 1]]
    : [[["Ingress"], 6], [["Ingress", "Egress"], 1], [["Egress"], 1]];
  const policyTypes = ctx.rng.weighted(types);
  if (policyTypes.includes("Egress")) ctx.egressDenied.push(ns.name);
  const name = policyTypes.length === 2 ? "default-deny-all" : `default-deny-${policyTypes[0]!.toLowerCase()}`;
  return { name, spec: { podSelector: {}, policyTypes } };
};

/** The most common companion of a default-deny: pods of a namespace may talk to each other. */
export const allowSameNamespace: PolicyKind = (ctx, ns) => {
  if (!firstOnly(ctx, "same-namespace", ns)) return undefined;
  const ingress = [{ from: [{ podSelector: {} }] }];
  if (!ctx.egressDenied.includes(ns.name)) return { name: "allow-same-namespace", spec: { podSelector: {}, ingress } };
  const egress = [{ to: [{ podSelector: {} }] }];
  return { name: "allow-same-namespace", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress, egress } };
};

/**
 * Written where egress is denied by default, and only there: selecting every pod for Egress,
 * it would otherwise cut a namespace off from everything but DNS.
 */
export const allowDns: PolicyKind = (ctx, ns) => {
  const home = ctx.egressDenied.includes(ns.name) && !ctx.once.has(`dns/${ns.name}`)
    ? ns.name : ctx.egressDenied.find((n) => !ctx.once.has(`dns/${n}`));
  if (home === undefined) return undefined;
  ctx.once.add(`dns/${home}`);
  return { name: "allow-dns-egress", namespace: home, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [dnsRule(ctx.rng)] } };
};

export const appToApp: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const target = appIn(ctx, ns, (a) => a.ports.length > 0);
  const sources = Array.from({ length: rng.int(1, 3) }, () => appIn(ctx, ns, (a) => a !== target));
  const policyTypes: Types = rng.chance(0.5) ? undefined : ["Ingress"];
  return {
    name: `allow-${sources[0]!.name}-to-${target.name}`,
    spec: {
      podSelector: appSelector(rng, target), policyTypes,
      ingress: [{ from: [localPeer(rng, sources)], ports: appPorts(rng, target, 2) }],
    },
  };
};

export const fromNamespaces: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const target = appIn(ctx, ns, (a) => a.tier === "frontend" || a.tier === "backend");
  // The first one uses every selector operator, so that even a small scenario has them all.
  const strict = firstTime(ctx, "tour/operators");
  const from = [remotePeer(rng, ns, rng.pick(ctx.allApps.length > 0 ? ctx.allApps : [target]), strict)];
  if (rng.chance(0.2)) from.push(localPeer(rng, [appIn(ctx, ns)]));
  const rule: api.NetworkPolicyIngressRule = rng.chance(0.7) ? { from, ports: appPorts(rng, target, 2) } : { from };
  const spec = { podSelector: appSelector(rng, target), policyTypes: ["Ingress"], ingress: [rule] };
  return { name: `allow-${target.name}-from-namespaces`, spec };
};

const EGRESS_PORTS: readonly (readonly api.NetworkPolicyPort[])[] = [
  [{ port: 443 }], [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 80 }], [{ port: 5432 }],
  [{ protocol: "TCP", port: 8000, endPort: 8999 }], [], [{ protocol: "UDP", port: 123 }], [{ protocol: "UDP", port: 514 }],
];

export const egressExternal: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const target = appIn(ctx, ns, (a) => a.tier === "backend" || a.tier === "worker");
  const ports = rng.pick(EGRESS_PORTS).map((p) => ({ ...p }));
  const to = blocks(ctx, rng.int(1, 4));
  const egress: api.NetworkPolicyEgressRule[] = [ports.length > 0 ? { to, ports } : { to }];
  if (rng.chance(0.3)) egress.push(dnsRule(rng));
  const podSelector = ctx.egressDenied.includes(ns.name) && rng.chance(0.2) ? {} : appSelector(rng, target);
  const shape = rng.weighted<string>([["egress", 6], ["absent", 2], ["both", 2]]);
  if (shape === "egress") return { name: `${target.name}-egress-external`, spec: { podSelector, policyTypes: ["Egress"], egress } };
  // Absent policyTypes with egress rules defaults to both directions: the ingress side is isolated too.
  const ingress = shape === "both" ? [{ from: [{ podSelector: {} }] }] : undefined;
  const policyTypes: Types = shape === "both" ? ["Ingress", "Egress"] : undefined;
  return { name: `${target.name}-egress-external`, spec: { podSelector, policyTypes, ingress, egress } };
};

export const ingressFromCidr: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const target = appIn(ctx, ns, (a) => a.tier === "frontend");
  const ports = rng.chance(0.2) ? [{ protocol: "TCP", port: 30000, endPort: 32767 }] : appPorts(rng, target, 2);
  const policyTypes: Types = rng.chance(0.5) ? undefined : ["Ingress"];
  const ingress = [{ from: blocks(ctx, rng.int(1, 3)), ports }];
  return { name: `${target.name}-from-external`, spec: { podSelector: appSelector(rng, target), policyTypes, ingress } };
};

export const monitoring: PolicyKind = (ctx, ns) => {
  if (!firstOnly(ctx, "monitoring", ns)) return undefined;
  const { rng } = ctx;
  const podSelector: api.LabelSelector = rng.chance(0.5) ? {} : { matchExpressions: [{ key: "app", operator: "Exists" }] };
  const ports: api.NetworkPolicyPort[] = [{ port: "metrics" }];
  if (ns.istio) ports.push({ protocol: "TCP", port: "http-envoy-prom" });
  const from = [{ namespaceSelector: namespaceIs(MONITORING), podSelector: { matchLabels: { app: "prometheus" } } }];
  return { name: "allow-prometheus-scrape", spec: { podSelector, policyTypes: ["Ingress"], ingress: [{ from, ports }] } };
};

const RANGES: readonly api.NetworkPolicyPort[] = [
  { protocol: "SCTP", port: 38412, endPort: 38415 }, { protocol: "UDP", port: 5060, endPort: 5061 },
  { protocol: "UDP", port: 8125 }, { protocol: "SCTP", port: 3868 }, { protocol: "UDP", port: 443 },
];

export const udpSctp: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const rare = (a: App) => a.ports.some((p) => p.protocol === "UDP" || p.protocol === "SCTP");
  const target = appIn(ctx, ns, rare);
  const own = target.ports.filter((p) => p.protocol === "UDP" || p.protocol === "SCTP");
  const sctpRange = firstTime(ctx, "tour/sctp");
  const ports = own.length > 0 && !sctpRange && rng.chance(0.6)
    ? own.map((p) => ({ protocol: p.protocol, port: rng.chance(0.5) ? p.name! : p.containerPort! }))
    : [{ ...(sctpRange ? RANGES[0]! : rng.pick(RANGES)) }];
  const from = [rng.chance(0.5) ? { namespaceSelector: { matchLabels: { env: ns.env ?? "prod" } } } : { podSelector: {} }];
  const name = `${target.name}-allow-${ports[0]!.protocol!.toLowerCase()}`;
  return { name, spec: { podSelector: appSelector(rng, target), ingress: [{ from, ports }] } };
};

export const allowAll: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const podSelector = rng.chance(0.5) ? {} : appSelector(rng, appIn(ctx, ns));
  if (rng.chance(0.6)) return { name: "allow-all-ingress", spec: { podSelector, ingress: [{}] } };
  return { name: "allow-all-egress", spec: { podSelector, policyTypes: ["Egress"], egress: [{}] } };
};

export const dbAccess: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const target = appIn(ctx, ns, (a) => a.tier === "db" || a.tier === "cache");
  const from: api.NetworkPolicyPeer[] = rng.chance(0.5)
    ? [{ podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["backend", "worker"] }] } }]
    : [localPeer(rng, [appIn(ctx, ns, (a) => a.tier === "backend")])];
  // Databases rarely initiate connections: half the time egress is locked down entirely.
  const policyTypes = rng.chance(0.5) ? ["Ingress", "Egress"] : ["Ingress"];
  const ingress = [{ from, ports: appPorts(rng, target, 1) }];
  return { name: `${target.name}-access`, spec: { podSelector: appSelector(rng, target), policyTypes, ingress } };
};

export const threeTier: PolicyKind = (ctx, ns) => {
  const { rng } = ctx;
  const target = appIn(ctx, ns, (a) => a.tier === "backend");
  const stores = Array.from({ length: rng.int(1, 2) }, () => appIn(ctx, ns, (a) => a.tier === "db" || a.tier === "cache"));
  const ingress = [{ from: [{ podSelector: { matchLabels: { tier: "frontend" } } }], ports: appPorts(rng, target, 2) }];
  const egress: api.NetworkPolicyEgressRule[] = stores.map((s) => ({ to: [localPeer(rng, [s])], ports: appPorts(rng, s, 1) }));
  egress.push(dnsRule(rng));
  const policyTypes: Types = rng.chance(0.5) ? undefined : ["Ingress", "Egress"];
  return { name: `${target.name}-tiers`, spec: { podSelector: appSelector(rng, target), policyTypes, ingress, egress } };
};
