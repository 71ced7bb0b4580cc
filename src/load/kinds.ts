/**
 * Which apiVersion/kind pairs exist (VALIDATION.md D4, D5, D11). The modelled kinds are read;
 * other kinds that Kubernetes serves are skipped with a notice; kinds of unknown groups are
 * skipped with a warning; a near-miss of a modelled kind, or an unknown kind inside a group
 * netpol-wasm owns, is an error, because ignoring it could turn a policy into nothing.
 */

export type Modelled = "Namespace" | "Pod" | "NetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "ClusterNetworkPolicy" | "Node";

export const MODELLED: Readonly<Record<Modelled, string>> = {
  Namespace: "v1",
  Pod: "v1",
  NetworkPolicy: "networking.k8s.io/v1",
  AdminNetworkPolicy: "policy.networking.k8s.io/v1alpha1",
  BaselineAdminNetworkPolicy: "policy.networking.k8s.io/v1alpha1",
  ClusterNetworkPolicy: "policy.networking.k8s.io/v1alpha2",
  Node: "v1",
};

/** Kinds served by a stock API server (and widespread add-ons), by group. */
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  "": [
    "Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace", "Node",
    "PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController",
    "ResourceQuota", "Secret", "Service", "ServiceAccount",
  ],
  apps: ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
  batch: ["CronJob", "Job"],
  autoscaling: ["HorizontalPodAutoscaler"],
  policy: ["PodDisruptionBudget"],
  "networking.k8s.io": ["Ingress", "IngressClass", "IPAddress", "NetworkPolicy", "ServiceCIDR"],
  "policy.networking.k8s.io": ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"],
  "discovery.k8s.io": ["EndpointSlice"],
  "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
  "storage.k8s.io": ["CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment"],
  "scheduling.k8s.io": ["PriorityClass"],
  "coordination.k8s.io": ["Lease"],
  "node.k8s.io": ["RuntimeClass"],
  "certificates.k8s.io": ["CertificateSigningRequest"],
  "apiextensions.k8s.io": ["CustomResourceDefinition"],
  "admissionregistration.k8s.io": [
    "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
  ],
  "apiregistration.k8s.io": ["APIService"],
  "flowcontrol.apiserver.k8s.io": ["FlowSchema", "PriorityLevelConfiguration"],
  "events.k8s.io": ["Event"],
};

/** Groups whose kinds netpol-wasm models, now or in a later release: near-misses there are errors. */
const OWNED_GROUPS = new Set(["", "networking.k8s.io", "policy.networking.k8s.io"]);

/** Kinds of our groups that are understood but not evaluated yet: refusing beats wrong verdicts. */
const NOT_YET: ReadonlySet<string> = new Set<string>();

export type KindVerdict =
  | { readonly action: "read"; readonly kind: Modelled }
  | { readonly action: "skip"; readonly warn: boolean; readonly message: string }
  | { readonly action: "reject"; readonly message: string };

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function classifyKind(apiVersion: string, kind: string): KindVerdict {
  const group = groupOf(apiVersion);
  const noMatch = `no matches for kind "${kind}" in version "${apiVersion}"`;
  const modelled = (Object.keys(MODELLED) as Modelled[]).find((k) => k === kind);
  if (modelled) {
    if (MODELLED[modelled] === apiVersion) return { action: "read", kind: modelled };
    return { action: "reject", message: `${noMatch} (${kind} is served as "${MODELLED[modelled]}")` };
  }
  if (NOT_YET.has(kind) && group === "policy.networking.k8s.io") {
    return { action: "reject", message: `${kind} is not supported yet: its verdicts would be wrong if it were ignored` };
  }
  const nearMiss = (Object.keys(MODELLED) as Modelled[]).find((k) => k.toLowerCase() === kind.toLowerCase());
  if (nearMiss) return { action: "reject", message: `${noMatch}; did you mean "${nearMiss}"?` };
  const known = KNOWN[group];
  if (known?.includes(kind)) return { action: "skip", warn: false, message: `${kind} (${apiVersion}) is not used by network policy` };
  if (OWNED_GROUPS.has(group)) return { action: "reject", message: noMatch };
  return { action: "skip", warn: true, message: `${noMatch}: skipped (not a kind netpol-wasm knows)` };
}
