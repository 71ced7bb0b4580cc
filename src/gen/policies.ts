/**
 * Exactly `count` NetworkPolicies. The first ones tour every kind once (so even a small
 * scenario exercises every feature), the rest are drawn by weight, in team namespaces weighted
 * by how many apps they run. Finally any external CIDR no peer has used yet is added to an
 * existing ipBlock rule, so the scenario names exactly the CIDRs it was asked for.
 */
import type * as api from "../load/api.js";
import type { App } from "./apps.js";
import { BlockPicker, type ExternalBlock, ipBlock } from "./cidrs.js";
import {
  type PolicyContext, type PolicyKind, allowAll, allowDns, allowSameNamespace, appToApp, dbAccess, defaultDeny, egressExternal,
  fromNamespaces, ingressFromCidr, monitoring, threeTier, udpSctp,
} from "./kinds.js";
import type { NamespaceInfo } from "./namespaces.js";
import type { Random } from "./random.js";

const TOUR: readonly PolicyKind[] = [
  egressExternal, defaultDeny, allowDns, allowSameNamespace, appToApp, fromNamespaces,
  ingressFromCidr, monitoring, udpSctp, allowAll, dbAccess, threeTier,
];

const WEIGHTS: readonly (readonly [PolicyKind, number])[] = [
  [appToApp, 25], [fromNamespaces, 15], [threeTier, 10], [egressExternal, 10], [dbAccess, 8], [defaultDeny, 8],
  [ingressFromCidr, 6], [udpSctp, 6], [monitoring, 5], [allowDns, 5], [allowSameNamespace, 5], [allowAll, 2],
];

const NEEDS_BLOCKS: ReadonlySet<PolicyKind> = new Set([egressExternal, ingressFromCidr]);

function policyObject(namespace: string, name: string, spec: api.NetworkPolicySpec): api.NetworkPolicy {
  // Absent, not `undefined`: what a manifest (and a YAML writer) has.
  const compact = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as api.NetworkPolicySpec;
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec: compact };
}

function uniqueName(base: string, namespace: string, taken: Set<string>): string {
  let name = base;
  for (let k = 2; taken.has(`${namespace}/${name}`); k++) name = `${base}-${k}`;
  taken.add(`${namespace}/${name}`);
  return name;
}

function context(rng: Random, apps: readonly App[], pool: readonly ExternalBlock[]): PolicyContext {
  const targets = apps.filter((a) => !a.hostNetwork);
  const byNamespace = new Map<string, App[]>();
  for (const app of targets) {
    const list = byNamespace.get(app.namespace);
    if (list) list.push(app);
    else byNamespace.set(app.namespace, [app]);
  }
  return { rng, apps: byNamespace, allApps: targets, blocks: new BlockPicker(rng, pool), once: new Set(), egressDenied: [] };
}

/** Every ipBlock-bearing rule, in order: where unused CIDRs can go without changing a policy's kind. */
function ipBlockPeerLists(policies: readonly api.NetworkPolicy[]): api.NetworkPolicyPeer[][] {
  const out: api.NetworkPolicyPeer[][] = [];
  for (const p of policies) {
    for (const r of p.spec?.ingress ?? []) if (r.from?.some((peer) => peer.ipBlock)) out.push(r.from);
    for (const r of p.spec?.egress ?? []) if (r.to?.some((peer) => peer.ipBlock)) out.push(r.to);
  }
  return out;
}

export function generatePolicies(
  rng: Random, namespaces: readonly NamespaceInfo[], apps: readonly App[], pool: readonly ExternalBlock[], count: number,
): api.NetworkPolicy[] {
  const ctx = context(rng, apps, pool);
  const usable = (k: PolicyKind) => pool.length > 0 || !NEEDS_BLOCKS.has(k);
  const tour = TOUR.filter(usable);
  const weights = WEIGHTS.filter(([k]) => usable(k));
  // Platform namespaces are left alone, as most platform teams leave them: a stray policy
  // selecting CoreDNS would cut the whole cluster's DNS.
  const teams = namespaces.some((ns) => !ns.infra) ? namespaces.filter((ns) => !ns.infra) : namespaces;
  const homes = teams.map((ns) => [ns, (ctx.apps.get(ns.name)?.length ?? 0) + 1] as const);
  const taken = new Set<string>();
  const out: api.NetworkPolicy[] = [];
  for (let i = 0; i < count; i++) {
    const ns = rng.weighted(homes);
    const kind = i < tour.length ? tour[i]! : rng.weighted(weights);
    const draft = kind(ctx, ns) ?? appToApp(ctx, ns)!;
    const namespace = draft.namespace ?? ns.name;
    out.push(policyObject(namespace, uniqueName(draft.name, namespace, taken), draft.spec));
  }
  const lists = ipBlockPeerLists(out);
  ctx.blocks.unused().forEach((block, i) => lists[i % lists.length]!.push({ ipBlock: ipBlock(block, true) }));
  return out;
}
