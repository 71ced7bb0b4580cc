/**
 * `adminNetworkPolicy()` and `baselineAdminNetworkPolicy()`: random valid admin-tier policies
 * (policy.networking.k8s.io/v1alpha1) over the fuzz vocabulary — namespace and pod subjects,
 * every action, namespaces/pods/networks peers (networks matching pod addresses too), ports
 * by number, range and name (never beside networks, as the CRD requires) — and
 * `adminTiers()`: a few of them with distinct names, priorities that collide now and then, and
 * sometimes the baseline.
 */
import fc from "fast-check";
import type * as api from "../load/api.js";
import { labelSelector } from "./policy.js";
import { NAMESPACE_NAMES, PORT_NAMES, PORT_NUMBERS, PROTOCOLS } from "./vocabulary.js";

const namespaceSelector: fc.Arbitrary<api.LabelSelector> = fc.oneof(
  labelSelector,
  fc.constantFrom(...NAMESPACE_NAMES).map((n) => ({ matchLabels: { "kubernetes.io/metadata.name": n } })),
);

const subject: fc.Arbitrary<api.AdminNetworkPolicySubject> = fc.oneof(
  namespaceSelector.map((namespaces) => ({ namespaces })),
  fc.record({ namespaceSelector, podSelector: labelSelector }).map((pods) => ({ pods })),
);

/** Networks that cover all, some or none of the fuzz pods' addresses (10.0.x.y, fd00::/8), and outside ones. */
const NETWORKS = ["0.0.0.0/0", "::/0", "10.0.0.0/24", "10.0.0.0/31", "10.0.0.3/32", "fd00::/16", "192.0.2.0/24", "198.51.100.0/25"] as const;

const podPeers: fc.Arbitrary<api.AdminNetworkPolicyPeer>[] = [
  namespaceSelector.map((namespaces) => ({ namespaces })),
  fc.record({ namespaceSelector, podSelector: labelSelector }).map((pods) => ({ pods })),
];
const networksPeer: fc.Arbitrary<api.AdminNetworkPolicyPeer> = fc.uniqueArray(fc.constantFrom(...NETWORKS), { minLength: 1, maxLength: 2 }).map((networks) => ({ networks }));

const protocol = fc.option(fc.constantFrom(...PROTOCOLS), { nil: undefined });
const numbered: fc.Arbitrary<api.AdminNetworkPolicyPort>[] = [
  fc.record({ protocol, port: fc.constantFrom(...PORT_NUMBERS) }, { requiredKeys: ["port"] }).map((portNumber) => ({ portNumber })),
  fc
    .tuple(protocol, fc.constantFrom(...PORT_NUMBERS), fc.integer({ min: 1, max: 500 }))
    .map(([p, start, width]) => ({ portRange: { ...(p ? { protocol: p } : {}), start, end: Math.min(65535, start + width) } })),
];
const named: fc.Arbitrary<api.AdminNetworkPolicyPort> = fc.constantFrom(...PORT_NAMES).map((namedPort) => ({ namedPort }));

function rule(direction: "ingress" | "egress", actions: readonly string[]): fc.Arbitrary<api.AdminNetworkPolicyRule> {
  const peersKey = direction === "ingress" ? "from" : "to";
  // Egress rules with networks peers take numbered ports only (a named port has no meaning there).
  const withNetworks = direction === "egress";
  return fc
    .tuple(
      fc.option(fc.constantFrom("r1", "allow-web", "deny-all"), { nil: undefined }),
      fc.constantFrom(...actions),
      fc.boolean(),
      fc.array(fc.oneof(...podPeers), { minLength: 1, maxLength: 2 }),
      withNetworks ? fc.option(networksPeer, { nil: undefined }) : fc.constant(undefined),
      fc.option(fc.array(fc.oneof(...numbered, named), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    )
    .map(([name, action, networksOnly, pods, networks, ports]) => {
      const peers = networks ? (networksOnly ? [networks] : [...pods, networks]) : pods;
      const usable = networks && ports ? ports.filter((p) => !p.namedPort) : ports;
      return {
        ...(name ? { name } : {}),
        action,
        [peersKey]: peers,
        ...(usable && usable.length > 0 ? { ports: usable } : {}),
      };
    });
}

export function adminNetworkPolicy(name: string, priority: fc.Arbitrary<number> = fc.integer({ min: 0, max: 5 })): fc.Arbitrary<api.AdminNetworkPolicy> {
  return fc
    .record({ priority, subject, ingress: fc.array(rule("ingress", ["Allow", "Deny", "Pass"]), { maxLength: 3 }), egress: fc.array(rule("egress", ["Allow", "Deny", "Pass"]), { maxLength: 3 }) })
    .map((spec) => ({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name }, spec }));
}

export function baselineAdminNetworkPolicy(): fc.Arbitrary<api.BaselineAdminNetworkPolicy> {
  return fc
    .record({ subject, ingress: fc.array(rule("ingress", ["Allow", "Deny"]), { maxLength: 3 }), egress: fc.array(rule("egress", ["Allow", "Deny"]), { maxLength: 3 }) })
    .map((spec) => ({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec }));
}

/** Up to `max` AdminNetworkPolicies (names a0, a1, …; priorities 0–5, so some collide) and maybe the baseline. */
export function adminTiers(max = 3): fc.Arbitrary<(api.AdminNetworkPolicy | api.BaselineAdminNetworkPolicy)[]> {
  return fc
    .tuple(fc.integer({ min: 0, max }), fc.boolean())
    .chain(([n, baseline]) =>
      fc.tuple(...Array.from({ length: n }, (_, i) => adminNetworkPolicy(`a${i}`)), ...(baseline ? [baselineAdminNetworkPolicy()] : [])),
    )
    .map((list) => [...list]);
}
