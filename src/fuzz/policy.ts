/**
 * `networkPolicy()`: random valid NetworkPolicies over the fuzz vocabulary, mixing every
 * feature: selectors with all four operators, pod/namespace/combined peers, ipBlocks with
 * except, numeric and named ports, endPort ranges, every protocol, every policyTypes shape.
 */
import fc from "fast-check";
import type * as api from "../load/api.js";
import { IP_BLOCKS, LABEL_KEYS, LABEL_VALUES, NAMESPACE_NAMES, PORT_NAMES, PORT_NUMBERS, PROTOCOLS } from "./vocabulary.js";

const key = fc.constantFrom(...LABEL_KEYS);
const value = fc.constantFrom(...LABEL_VALUES);

const requirement: fc.Arbitrary<api.LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom("In", "NotIn"), values: fc.uniqueArray(value, { minLength: 1, maxLength: 2 }) }),
  fc.record({ key, operator: fc.constantFrom("Exists", "DoesNotExist") }),
);

export const labelSelector: fc.Arbitrary<api.LabelSelector> = fc.record(
  {
    matchLabels: fc.dictionary(key, value, { maxKeys: 2 }),
    matchExpressions: fc.array(requirement, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const namespaceSelector: fc.Arbitrary<api.LabelSelector> = fc.oneof(
  labelSelector,
  fc.constantFrom(...NAMESPACE_NAMES).map((n) => ({ matchLabels: { "kubernetes.io/metadata.name": n } })),
);

const peer: fc.Arbitrary<api.NetworkPolicyPeer> = fc.oneof(
  fc.record({ podSelector: labelSelector }),
  fc.record({ namespaceSelector }),
  fc.record({ podSelector: labelSelector, namespaceSelector }),
  fc.constantFrom(...IP_BLOCKS).map((b) => ({ ipBlock: { cidr: b.cidr, except: [...b.except] } })),
);

const protocol = fc.option(fc.constantFrom(...PROTOCOLS), { nil: undefined });

const port: fc.Arbitrary<api.NetworkPolicyPort> = fc.oneof(
  fc.record({ protocol }, { requiredKeys: [] }),
  fc.record({ protocol, port: fc.constantFrom(...PORT_NUMBERS) }, { requiredKeys: ["port"] }),
  // Named ports are where engines differ most (they resolve per destination pod): weigh them up.
  { weight: 3, arbitrary: fc.record({ protocol, port: fc.constantFrom(...PORT_NAMES) }, { requiredKeys: ["port"] }) },
  fc.tuple(protocol, fc.constantFrom(...PORT_NUMBERS), fc.integer({ min: 0, max: 100 })).map(([p, start, width]) => ({
    ...(p ? { protocol: p } : {}),
    port: start,
    endPort: start + width,
  })),
);

const peers = fc.option(fc.array(peer, { maxLength: 3 }), { nil: undefined });
const ports = fc.option(fc.array(port, { maxLength: 3 }), { nil: undefined });
const ingressRule = fc.record({ from: peers, ports }, { requiredKeys: [] });
const egressRule = fc.record({ to: peers, ports }, { requiredKeys: [] });

const policyTypes = fc.option(
  fc.constantFrom<string[]>(["Ingress"], ["Egress"], ["Ingress", "Egress"], ["Egress", "Ingress"], []),
  { nil: undefined },
);

export interface NetworkPolicyConstraints {
  /** Namespaces the policy may live in (default: the fuzz namespaces). */
  readonly namespaces?: readonly string[];
  /** Upper bound on rules per direction (default 3). */
  readonly maxRules?: number;
}

export function networkPolicy(name: string, constraints: NetworkPolicyConstraints = {}): fc.Arbitrary<api.NetworkPolicy> {
  const namespaces = constraints.namespaces ?? NAMESPACE_NAMES;
  const maxRules = constraints.maxRules ?? 3;
  if (namespaces.length === 0) throw new Error("networkPolicy: constraints.namespaces must not be empty");
  if (!Number.isInteger(maxRules) || maxRules < 0) throw new Error("networkPolicy: constraints.maxRules must be a whole number ≥ 0");
  return fc
    .record(
      {
        namespace: fc.constantFrom(...namespaces),
        podSelector: labelSelector,
        ingress: fc.option(fc.array(ingressRule, { maxLength: maxRules }), { nil: undefined }),
        egress: fc.option(fc.array(egressRule, { maxLength: maxRules }), { nil: undefined }),
        policyTypes,
      },
      { requiredKeys: ["namespace"] },
    )
    .map(({ namespace, ...spec }) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace },
      spec: dropUndefined(spec),
    }));
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
