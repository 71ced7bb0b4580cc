/**
 * The normalised cluster: what every later stage reads. Defaults are applied once, when the
 * model is built (src/model/build.ts): protocols are filled in, policyTypes are resolved,
 * absent selectors are empty selectors, addresses and CIDRs are parsed and canonical.
 */
import type { CIDR, IPAddress } from "../validate/ip.js";

export type { CIDR, IPAddress };
export type Protocol = "TCP" | "UDP" | "SCTP";
export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
export type Direction = "ingress" | "egress";
export type Verdict = "allow" | "deny";

/**
 * Why one direction of a flow decided as it did. Policies are named by their index in
 * `cluster.policies`, rules by their index in the policy's list for that direction; the first
 * allowing rule counts, policies in cluster order, rules in order.
 */
export type Reason =
  /** No policy isolates this side for this direction, or the side is not a pod. */
  | ({ readonly kind: "none" } & Passed)
  /** A pod reaching itself: not subject to policy. */
  | { readonly kind: "self" }
  | ({ readonly kind: "allowed"; readonly policy: number; readonly rule: number } & Passed)
  /** Isolated by these policies, and none of their rules matched. */
  | ({ readonly kind: "denied"; readonly policies: readonly number[] } & Passed)
  /** An admin-tier rule decided (AdminNetworkPolicy, or the baseline): policy by name, rule by index. */
  | ({ readonly kind: "tier"; readonly tier: "admin" | "baseline"; readonly policy: string; readonly rule: number; readonly action: "Allow" | "Deny" } & Passed);

/** Set when an AdminNetworkPolicy rule with action Pass sent the decision down to NetworkPolicy. */
interface Passed {
  readonly passed?: { readonly policy: string; readonly rule: number };
}

export interface Explanation {
  readonly verdict: Verdict;
  readonly egress: Reason;
  readonly ingress: Reason;
}
export type Labels = Readonly<Record<string, string>>;

export type Operator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** matchLabels AND every matchExpressions entry; no entries at all selects everything. */
export interface Selector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly Requirement[];
}

export interface Namespace {
  readonly name: string;
  /** Always carries `kubernetes.io/metadata.name: <name>`. */
  readonly labels: Labels;
  /** True when no Namespace object was given and the loader created it from a reference. */
  readonly implicit: boolean;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** The addresses the pod owns as a policy endpoint: none for hostNetwork or finished pods. */
  readonly ips: readonly IPAddress[];
  readonly hostNetwork: boolean;
  readonly ports: readonly ContainerPort[];
}

export interface IPBlock {
  readonly cidr: CIDR;
  readonly except: readonly CIDR[];
}

/**
 * A NetworkPolicyPeer. Exactly one of the two shapes: pod peers (either selector may be
 * absent, meaning "not part of this peer"), or an ipBlock.
 */
export type Peer =
  | { readonly podSelector?: Selector; readonly namespaceSelector?: Selector; readonly ipBlock?: undefined }
  | { readonly ipBlock: IPBlock; readonly podSelector?: undefined; readonly namespaceSelector?: undefined };

export interface PolicyPort {
  readonly protocol: Protocol;
  /** Absent: every port of the protocol. A string is a named port. */
  readonly port?: number | string;
  readonly endPort?: number;
}

/** An empty `peers` list means every peer; an empty `ports` list means every port. */
export interface Rule {
  readonly peers: readonly Peer[];
  readonly ports: readonly PolicyPort[];
}

export interface NetworkPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: Selector;
  /** policyTypes after the API server's defaulting. */
  readonly policyTypes: { readonly ingress: boolean; readonly egress: boolean };
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
}

/** One connection attempt, as every engine takes it. */
export interface Flow {
  readonly src: IPAddress;
  readonly dst: IPAddress;
  readonly protocol: Protocol;
  readonly port: number;
}

export interface Cluster {
  /** Sorted by name. */
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly policies: readonly NetworkPolicy[];
  /** AdminNetworkPolicies and the BaselineAdminNetworkPolicy (ANP.md); none when absent. */
  readonly adminPolicies?: readonly AdminPolicy[];
  /** Nodes, for the `nodes` peers of admin policies. */
  readonly nodes?: readonly Node[];
}

/** Actions of admin-tier rules: Allow and Deny are final; Pass hands over to NetworkPolicy. */
export type AdminAction = "Allow" | "Deny" | "Pass";

/** Who an admin policy applies to: every pod of the selected namespaces, or selected pods of them. */
export type AdminSubject =
  | { readonly namespaces: Selector; readonly pods?: undefined }
  | { readonly pods: { readonly namespaceSelector: Selector; readonly podSelector: Selector }; readonly namespaces?: undefined };

/**
 * One peer of an admin rule; exactly one field. `networks` and `nodes` are egress only.
 * `unknown` stands for a peer with no field this tool knows (a newer CRD): it fails closed.
 */
export type AdminPeer =
  | { readonly kind: "namespaces"; readonly namespaceSelector: Selector }
  | { readonly kind: "pods"; readonly namespaceSelector: Selector; readonly podSelector: Selector }
  | { readonly kind: "networks"; readonly cidrs: readonly CIDR[] }
  | { readonly kind: "nodes"; readonly nodeSelector: Selector }
  | { readonly kind: "unknown" };

/** A port of an admin rule: a number, an inclusive range, or a named container port of the destination. */
export type AdminPort =
  | { readonly kind: "number"; readonly protocol: Protocol; readonly port: number }
  | { readonly kind: "range"; readonly protocol: Protocol; readonly start: number; readonly end: number }
  | { readonly kind: "named"; readonly name: string };

export interface AdminRule {
  readonly name?: string;
  readonly action: AdminAction;
  readonly peers: readonly AdminPeer[];
  /** Absent: every port and protocol. */
  readonly ports?: readonly AdminPort[];
}

export interface AdminPolicy {
  /** The kind it was read from (absent when built by hand: then ANP or BANP by tier). */
  readonly kind?: "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "ClusterNetworkPolicy";
  /** "admin": an AdminNetworkPolicy (by priority); "baseline": the BaselineAdminNetworkPolicy. */
  readonly tier: "admin" | "baseline";
  readonly name: string;
  /** 0..1000, lower first; 0 for the baseline. */
  readonly priority: number;
  readonly subject: AdminSubject;
  readonly ingress: readonly AdminRule[];
  readonly egress: readonly AdminRule[];
}

export interface Node {
  readonly name: string;
  readonly labels: Labels;
  /** status.addresses that are IPs. */
  readonly addresses: readonly IPAddress[];
}
