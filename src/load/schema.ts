/**
 * The shapes Go's JSON decoder enforces for the fields netpol-wasm reads (VALIDATION.md D8/D9).
 * `closed` objects reject unknown fields, as `kubectl --validate=strict` does; `open` objects
 * are the parts of Pods and Namespaces that the tool does not model (images, resources, …):
 * their other fields are not looked at.
 */

export type Schema =
  | { readonly t: "string" }
  | { readonly t: "int32" }
  | { readonly t: "intOrString" }
  | { readonly t: "bool" }
  | { readonly t: "stringMap" }
  | { readonly t: "any" }
  | { readonly t: "list"; readonly of: Schema }
  | { readonly t: "object"; readonly go: string; readonly fields: Readonly<Record<string, Schema>>; readonly open: boolean };

const str: Schema = { t: "string" };
const int32: Schema = { t: "int32" };
const any: Schema = { t: "any" };
const stringMap: Schema = { t: "stringMap" };
const list = (of: Schema): Schema => ({ t: "list", of });
const closed = (go: string, fields: Record<string, Schema>): Schema => ({ t: "object", go, fields, open: false });
const open = (go: string, fields: Record<string, Schema>): Schema => ({ t: "object", go, fields, open: true });

const objectMeta = closed("ObjectMeta", {
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: { t: "int32" },
  creationTimestamp: any,
  deletionTimestamp: any,
  deletionGracePeriodSeconds: any,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: list(any),
  finalizers: list(str),
  managedFields: list(any),
});

const labelSelector = closed("LabelSelector", {
  matchLabels: stringMap,
  matchExpressions: list(closed("LabelSelectorRequirement", { key: str, operator: str, values: list(str) })),
});

const peer = closed("NetworkPolicyPeer", {
  podSelector: labelSelector,
  namespaceSelector: labelSelector,
  ipBlock: closed("IPBlock", { cidr: str, except: list(str) }),
});

const port = closed("NetworkPolicyPort", { protocol: str, port: { t: "intOrString" }, endPort: int32 });

export const networkPolicySchema = closed("NetworkPolicy", {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: closed("NetworkPolicySpec", {
    podSelector: labelSelector,
    ingress: list(closed("NetworkPolicyIngressRule", { from: list(peer), ports: list(port) })),
    egress: list(closed("NetworkPolicyEgressRule", { to: list(peer), ports: list(port) })),
    policyTypes: list(str),
  }),
  // networking.k8s.io/v1 served a status (conditions) in 1.24–1.27; dumps from then may carry it.
  status: any,
});

const container = open("Container", {
  name: str,
  ports: list(
    closed("ContainerPort", { name: str, hostPort: int32, containerPort: int32, protocol: str, hostIP: str }),
  ),
});

export const podSchema = closed("Pod", {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: open("PodSpec", { hostNetwork: { t: "bool" }, containers: list(container) }),
  status: open("PodStatus", { phase: str, podIP: str, podIPs: list(closed("PodIP", { ip: str })) }),
});

const namespacedPod = closed("NamespacedPod", { namespaceSelector: labelSelector, podSelector: labelSelector });

const adminPeer = (go: string, egress: boolean) =>
  closed(go, {
    namespaces: labelSelector,
    pods: namespacedPod,
    ...(egress ? { networks: list(str), nodes: labelSelector } : {}),
  });

const adminPort = closed("AdminNetworkPolicyPort", {
  portNumber: closed("Port", { protocol: str, port: int32 }),
  portRange: closed("PortRange", { protocol: str, start: int32, end: int32 }),
  namedPort: str,
});

const adminSpec = (go: string, priority: boolean) =>
  closed(go, {
    ...(priority ? { priority: int32 } : {}),
    subject: closed("AdminNetworkPolicySubject", { namespaces: labelSelector, pods: namespacedPod }),
    ingress: list(closed(`${go.replace("Spec", "")}IngressRule`, { name: str, action: str, from: list(adminPeer("AdminNetworkPolicyIngressPeer", false)), ports: list(adminPort) })),
    egress: list(closed(`${go.replace("Spec", "")}EgressRule`, { name: str, action: str, to: list(adminPeer("AdminNetworkPolicyEgressPeer", true)), ports: list(adminPort) })),
  });

export const adminNetworkPolicySchema = closed("AdminNetworkPolicy", {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: adminSpec("AdminNetworkPolicySpec", true),
  status: any,
});

export const baselineAdminNetworkPolicySchema = closed("BaselineAdminNetworkPolicy", {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: adminSpec("BaselineAdminNetworkPolicySpec", false),
  status: any,
});

const cnpPort = closed("Port", { number: int32, range: closed("PortRange", { start: int32, end: int32 }) });
const cnpProtocol = closed("ClusterNetworkPolicyProtocol", {
  tcp: closed("ClusterNetworkPolicyProtocolTCP", { destinationPort: cnpPort }),
  udp: closed("ClusterNetworkPolicyProtocolUDP", { destinationPort: cnpPort }),
  sctp: closed("ClusterNetworkPolicyProtocolSCTP", { destinationPort: cnpPort }),
  destinationNamedPort: str,
});

export const clusterNetworkPolicySchema = closed("ClusterNetworkPolicy", {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: closed("ClusterNetworkPolicySpec", {
    tier: str,
    priority: int32,
    subject: closed("ClusterNetworkPolicySubject", { namespaces: labelSelector, pods: namespacedPod }),
    ingress: list(closed("ClusterNetworkPolicyIngressRule", { name: str, action: str, from: list(closed("ClusterNetworkPolicyIngressPeer", { namespaces: labelSelector, pods: namespacedPod })), protocols: list(cnpProtocol) })),
    egress: list(
      closed("ClusterNetworkPolicyEgressRule", {
        name: str,
        action: str,
        to: list(closed("ClusterNetworkPolicyEgressPeer", { namespaces: labelSelector, pods: namespacedPod, nodes: labelSelector, networks: list(str), domainNames: list(str) })),
        protocols: list(cnpProtocol),
      }),
    ),
  }),
  status: any,
});

export const nodeSchema = closed("Node", {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: any,
  status: open("NodeStatus", { addresses: list(closed("NodeAddress", { type: str, address: str })) }),
});

export const namespaceSchema = closed("Namespace", {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: any,
  status: any,
});
