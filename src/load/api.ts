/**
 * The Kubernetes input types, as the decoding layer produces them: field names verbatim from
 * the API, types checked the way Go's JSON decoder checks them, `null` already turned into
 * `undefined` (absent). No defaults are applied here; src/model/ applies them once.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr?: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  protocol?: string;
  /** IntOrString: a JSON number is a numeric port, a JSON string is always a named port. */
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  podSelector?: LabelSelector;
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  policyTypes?: string[];
}

export interface NetworkPolicy {
  apiVersion: "networking.k8s.io/v1";
  kind: "NetworkPolicy";
  metadata: ObjectMeta;
  spec?: NetworkPolicySpec;
}

export interface Namespace {
  apiVersion: "v1";
  kind: "Namespace";
  metadata: ObjectMeta;
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
  hostPort?: number;
  hostIP?: string;
}

export interface Container {
  name?: string;
  ports?: ContainerPort[];
}

export interface PodIP {
  ip?: string;
}

export interface Pod {
  apiVersion: "v1";
  kind: "Pod";
  metadata: ObjectMeta;
  spec?: {
    hostNetwork?: boolean;
    containers?: Container[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: PodIP[];
  };
}

/** policy.networking.k8s.io/v1alpha1: the subject of an admin policy, exactly one field. */
export interface AdminNetworkPolicySubject {
  namespaces?: LabelSelector;
  pods?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector };
}

/** A peer: exactly one field; `networks` and `nodes` only on egress peers. */
export interface AdminNetworkPolicyPeer {
  namespaces?: LabelSelector;
  pods?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector };
  networks?: string[];
  nodes?: LabelSelector;
}

/** A port: exactly one of portNumber, portRange, namedPort. */
export interface AdminNetworkPolicyPort {
  portNumber?: { protocol?: string; port?: number };
  portRange?: { protocol?: string; start?: number; end?: number };
  namedPort?: string;
}

export interface AdminNetworkPolicyRule {
  name?: string;
  action?: string;
  from?: AdminNetworkPolicyPeer[];
  to?: AdminNetworkPolicyPeer[];
  ports?: AdminNetworkPolicyPort[];
}

export interface AdminNetworkPolicySpec {
  priority?: number;
  subject?: AdminNetworkPolicySubject;
  ingress?: AdminNetworkPolicyRule[];
  egress?: AdminNetworkPolicyRule[];
}

export interface AdminNetworkPolicy {
  apiVersion: "policy.networking.k8s.io/v1alpha1";
  kind: "AdminNetworkPolicy";
  metadata: ObjectMeta;
  spec?: AdminNetworkPolicySpec;
}

export interface BaselineAdminNetworkPolicy {
  apiVersion: "policy.networking.k8s.io/v1alpha1";
  kind: "BaselineAdminNetworkPolicy";
  metadata: ObjectMeta;
  spec?: Omit<AdminNetworkPolicySpec, "priority">;
}

export interface Node {
  apiVersion: "v1";
  kind: "Node";
  metadata: ObjectMeta;
  status?: { addresses?: { type?: string; address?: string }[] };
}

/** policy.networking.k8s.io/v1alpha2: one kind for both tiers (Admin, Baseline). */
export interface ClusterNetworkPolicyPort {
  number?: number;
  range?: { start?: number; end?: number };
}

/** Exactly one field. */
export interface ClusterNetworkPolicyProtocol {
  tcp?: { destinationPort?: ClusterNetworkPolicyPort };
  udp?: { destinationPort?: ClusterNetworkPolicyPort };
  sctp?: { destinationPort?: ClusterNetworkPolicyPort };
  destinationNamedPort?: string;
}

export interface ClusterNetworkPolicyPeer extends AdminNetworkPolicyPeer {
  domainNames?: string[];
}

export interface ClusterNetworkPolicyRule {
  name?: string;
  action?: string;
  from?: ClusterNetworkPolicyPeer[];
  to?: ClusterNetworkPolicyPeer[];
  protocols?: ClusterNetworkPolicyProtocol[];
}

export interface ClusterNetworkPolicy {
  apiVersion: "policy.networking.k8s.io/v1alpha2";
  kind: "ClusterNetworkPolicy";
  metadata: ObjectMeta;
  spec?: {
    tier?: string;
    priority?: number;
    subject?: AdminNetworkPolicySubject;
    ingress?: ClusterNetworkPolicyRule[];
    egress?: ClusterNetworkPolicyRule[];
  };
}

export type ApiObject = NetworkPolicy | Namespace | Pod | AdminNetworkPolicy | BaselineAdminNetworkPolicy | ClusterNetworkPolicy | Node;
