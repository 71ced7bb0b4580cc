/**
 * `adminNetworkPolicy()` and `baselineAdminNetworkPolicy()`: random valid admin-tier policies
 * (policy.networking.k8s.io/v1alpha1) over the fuzz vocabulary — namespace and pod subjects,
 * every action, namespaces/pods/networks peers (networks matching pod addresses too), ports
 * by number, range and name (never beside networks, as the CRD requires) — and
 * `adminTiers()`: a few of them with distinct names, priorities that collide now and then, and
 * sometimes the baseline. `nodes` peers come with `nodeObjects()`, Nodes whose addresses are
 * pod and outside addresses; `clusterNetworkPolicy()` is the v1alpha2 kind (either tier, Pass in
 * the baseline, `protocols`, `domainNames` peers that fail closed); `tiersWithNodes()` mixes all.
 */
import fc from "fast-check";
import type * as api from "../load/api.js";
import { labelSelector } from "./policy.js";
import { LABEL_KEYS, LABEL_VALUES, NAMESPACE_NAMES, PORT_NAMES, PORT_NUMBERS, PROTOCOLS } from "./vocabulary.js";

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
const networksPeer: fc.Arbitrary<api.AdminNetworkPolicyPeer> = fc.oneof(
  { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...NETWORKS), { minLength: 1, maxLength: 2 }).map((networks) => ({ networks })) },
  { weight: 1, arbitrary: labelSelector.map((nodes) => ({ nodes })) },
);

/** Node addresses: outside ones, and pod addresses (a hostNetwork pod shares its node's). */
const NODE_ADDRESSES = ["192.0.2.1", "198.51.100.7", "10.0.0.1", "10.0.0.250", "2001:db8::1", "fd00::1"] as const;

/** One to three Nodes (n0, n1, …) with labels from the fuzz vocabulary and one or two IP addresses. */
export function nodeObjects(): fc.Arbitrary<api.Node[]> {
  const node = (name: string) =>
    fc
      .record({
        labels: fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 2 }),
        addresses: fc.uniqueArray(fc.constantFrom(...NODE_ADDRESSES), { minLength: 1, maxLength: 2 }),
      })
      .map(({ labels, addresses }): api.Node => ({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels },
        status: { addresses: [{ type: "Hostname", address: name }, ...addresses.map((address, i) => ({ type: i === 0 ? "InternalIP" : "ExternalIP", address }))] },
      }));
  return fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => node(`n${i}`)))).map((list) => [...list]);
}

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

/** v1alpha2 ports: a protocol with a destination port number or range, or a named port. */
const cnpProtocol: fc.Arbitrary<api.ClusterNetworkPolicyProtocol> = fc.oneof(
  fc
    .tuple(fc.constantFrom("tcp", "udp", "sctp"), fc.constantFrom(...PORT_NUMBERS), fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }))
    .map(([p, start, width]) => ({ [p]: { destinationPort: width === undefined ? { number: start } : { range: { start, end: Math.min(65535, start + width) } } } })),
  fc.constantFrom(...PORT_NAMES).map((destinationNamedPort) => ({ destinationNamedPort })),
);

function cnpRule(direction: "ingress" | "egress"): fc.Arbitrary<api.ClusterNetworkPolicyRule> {
  const nonPod: fc.Arbitrary<api.ClusterNetworkPolicyPeer>[] =
    direction === "egress" ? [networksPeer, fc.constant({ domainNames: ["*.example.com"] })] : [];
  return fc
    .tuple(
      fc.constantFrom("Accept", "Deny", "Pass"),
      fc.array(fc.oneof(...podPeers), { minLength: 1, maxLength: 2 }),
      nonPod.length > 0 ? fc.option(fc.oneof(...nonPod), { nil: undefined, freq: 2 }) : fc.constant(undefined),
      fc.option(fc.array(cnpProtocol, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    )
    .map(([action, pods, other, protocols]) => {
      const usable = other && protocols ? protocols.filter((p) => p.destinationNamedPort === undefined) : protocols;
      return {
        action,
        [direction === "ingress" ? "from" : "to"]: other ? [...pods, other] : pods,
        ...(usable && usable.length > 0 ? { protocols: usable } : {}),
      };
    });
}

/** A ClusterNetworkPolicy (v1alpha2) of the given tier ("Admin" or "Baseline"), priority 0–5. */
export function clusterNetworkPolicy(name: string, tier: "Admin" | "Baseline"): fc.Arbitrary<api.ClusterNetworkPolicy> {
  return fc
    .record({ priority: fc.integer({ min: 0, max: 5 }), subject, ingress: fc.array(cnpRule("ingress"), { maxLength: 3 }), egress: fc.array(cnpRule("egress"), { maxLength: 3 }) })
    .map((spec) => ({ apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name }, spec: { tier, ...spec } }));
}

/** adminTiers, ClusterNetworkPolicies of both tiers (c0, c1, …) and the Nodes `nodes` peers match. */
export function tiersWithNodes(): fc.Arbitrary<object[]> {
  return fc
    .tuple(adminTiers(3), fc.array(fc.constantFrom("Admin", "Baseline") as fc.Arbitrary<"Admin" | "Baseline">, { minLength: 1, maxLength: 3 }), nodeObjects())
    .chain(([tiers, cnpTiers, nodes]) => fc.tuple(fc.constant(tiers), fc.tuple(...cnpTiers.map((t, i) => clusterNetworkPolicy(`c${i}`, t))), fc.constant(nodes)))
    .map(([tiers, cnps, nodes]) => [...tiers, ...cnps, ...nodes]);
}
