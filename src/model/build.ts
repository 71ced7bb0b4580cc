/**
 * Validated API objects → the normalised Cluster. Every default is applied here, once
 * (VALIDATION.md §3): protocol TCP, policyTypes, empty selectors, the namespace name label,
 * podIP over podIPs. The inputs have passed validation, so parsing cannot fail here.
 */
import type * as api from "../load/api.js";
import { type IPAddress, toCIDR, toIPAddress } from "../validate/ip.js";
import type {
  AdminAction, AdminPeer, AdminPolicy, AdminPort, AdminRule, AdminSubject, ContainerPort, IPBlock, Labels, Namespace, NetworkPolicy, Node, Peer,
  Pod, PolicyPort, Protocol, Requirement, Rule, Selector,
} from "./types.js";

export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export function buildNamespace(ns: api.Namespace): Namespace {
  const name = ns.metadata.name!;
  // The API server sets this label on create and overwrites any other value.
  return { name, labels: { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: name }, implicit: false };
}

export function implicitNamespace(name: string): Namespace {
  return { name, labels: { [NAMESPACE_NAME_LABEL]: name }, implicit: true };
}

/** Pods that have finished (Succeeded/Failed) keep their IP in status but no longer own it. */
const FINISHED_PHASES = new Set(["Succeeded", "Failed"]);

export function buildPod(pod: api.Pod): Pod {
  const hostNetwork = pod.spec?.hostNetwork === true;
  const finished = FINISHED_PHASES.has(pod.status?.phase ?? "");
  const ips = hostNetwork || finished ? [] : podIPs(pod);
  const ports: ContainerPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      ports.push({ name: p.name, containerPort: p.containerPort!, protocol: (p.protocol || "TCP") as Protocol });
    }
  }
  return {
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name!,
    labels: { ...pod.metadata.labels },
    ips,
    hostNetwork,
    ports,
  };
}

/** v1 conversion: podIP is authoritative; podIPs is used only when it agrees or podIP is absent. */
function podIPs(pod: api.Pod): IPAddress[] {
  const listed = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  const primary = pod.status?.podIP;
  const texts = primary && listed[0] !== primary ? [primary] : listed;
  return texts.map(toIPAddress);
}

export function buildSelector(s: api.LabelSelector | undefined): Selector {
  const matchExpressions: Requirement[] = (s?.matchExpressions ?? []).map((r) => ({
    key: r.key!,
    operator: r.operator as Requirement["operator"],
    values: r.values ?? [],
  }));
  return { matchLabels: { ...s?.matchLabels } as Labels, matchExpressions };
}

function buildPeer(p: api.NetworkPolicyPeer): Peer {
  if (p.ipBlock) {
    const ipBlock: IPBlock = { cidr: toCIDR(p.ipBlock.cidr!), except: (p.ipBlock.except ?? []).map(toCIDR) };
    return { ipBlock };
  }
  return {
    podSelector: p.podSelector ? buildSelector(p.podSelector) : undefined,
    namespaceSelector: p.namespaceSelector ? buildSelector(p.namespaceSelector) : undefined,
  };
}

function buildPort(p: api.NetworkPolicyPort): PolicyPort {
  return { protocol: (p.protocol ?? "TCP") as Protocol, port: p.port, endPort: p.endPort };
}

function buildRule(peers: api.NetworkPolicyPeer[] | undefined, ports: api.NetworkPolicyPort[] | undefined): Rule {
  return { peers: (peers ?? []).map(buildPeer), ports: (ports ?? []).map(buildPort) };
}

export function buildPolicy(np: api.NetworkPolicy): NetworkPolicy {
  const spec = np.spec ?? {};
  const types = spec.policyTypes ?? [];
  // The API server's defaulting: Ingress always, Egress only when there is an egress rule.
  const policyTypes =
    types.length > 0
      ? { ingress: types.includes("Ingress"), egress: types.includes("Egress") }
      : { ingress: true, egress: (spec.egress ?? []).length > 0 };
  return {
    namespace: np.metadata.namespace!,
    name: np.metadata.name!,
    podSelector: buildSelector(spec.podSelector),
    policyTypes,
    ingress: (spec.ingress ?? []).map((r) => buildRule(r.from, r.ports)),
    egress: (spec.egress ?? []).map((r) => buildRule(r.to, r.ports)),
  };
}

/** A peer (validated: exactly one field). `domainNames`, which manifests cannot resolve, fails closed like any unknown field. */
function buildAdminPeer(p: api.ClusterNetworkPolicyPeer): AdminPeer {
  if (p.namespaces) return { kind: "namespaces", namespaceSelector: buildSelector(p.namespaces) };
  if (p.pods) return { kind: "pods", namespaceSelector: buildSelector(p.pods.namespaceSelector), podSelector: buildSelector(p.pods.podSelector) };
  if (p.networks) return { kind: "networks", cidrs: p.networks.map(toCIDR) };
  if (p.nodes) return { kind: "nodes", nodeSelector: buildSelector(p.nodes) };
  return { kind: "unknown" }; // fails closed (ANP.md §5)
}

function buildAdminPort(p: api.AdminNetworkPolicyPort): AdminPort {
  if (p.portNumber) return { kind: "number", protocol: (p.portNumber.protocol ?? "TCP") as Protocol, port: p.portNumber.port! };
  if (p.portRange) return { kind: "range", protocol: (p.portRange.protocol ?? "TCP") as Protocol, start: p.portRange.start!, end: p.portRange.end! };
  return { kind: "named", name: p.namedPort! };
}

/** A rule of any admin kind: v1alpha2's Accept is v1alpha1's Allow; absent ports mean every port. */
function buildAdminRule(r: { name?: string; action?: string }, peers: api.ClusterNetworkPolicyPeer[] | undefined, ports: AdminPort[] | undefined): AdminRule {
  return {
    ...(r.name !== undefined ? { name: r.name } : {}),
    action: (r.action === "Accept" ? "Allow" : r.action) as AdminAction,
    peers: (peers ?? []).map(buildAdminPeer),
    ...(ports !== undefined ? { ports } : {}),
  };
}

/** A subject (validated: exactly one field). */
function buildSubject(s: api.AdminNetworkPolicySubject = {}): AdminSubject {
  return s.namespaces
    ? { namespaces: buildSelector(s.namespaces) }
    : { pods: { namespaceSelector: buildSelector(s.pods?.namespaceSelector), podSelector: buildSelector(s.pods?.podSelector) } };
}

/** An AdminNetworkPolicy or the BaselineAdminNetworkPolicy. */
export function buildAdminPolicy(o: api.AdminNetworkPolicy | api.BaselineAdminNetworkPolicy): AdminPolicy {
  const spec = o.spec ?? {};
  const rule = (r: api.AdminNetworkPolicyRule, peers: api.AdminNetworkPolicyPeer[] | undefined) => buildAdminRule(r, peers, r.ports?.map(buildAdminPort));
  return {
    kind: o.kind,
    tier: o.kind === "AdminNetworkPolicy" ? "admin" : "baseline",
    name: o.metadata.name!,
    priority: o.kind === "AdminNetworkPolicy" ? (o.spec?.priority ?? 0) : 0,
    subject: buildSubject(spec.subject),
    ingress: (spec.ingress ?? []).map((r) => rule(r, r.from)),
    egress: (spec.egress ?? []).map((r) => rule(r, r.to)),
  };
}

/** A Node: its labels and the IP addresses of status.addresses (what `nodes` peers match). */
export function buildNode(n: api.Node): Node {
  const addresses: IPAddress[] = [];
  for (const a of n.status?.addresses ?? []) {
    if ((a.type === "InternalIP" || a.type === "ExternalIP") && a.address) addresses.push(toIPAddress(a.address));
  }
  return { name: n.metadata.name!, labels: { ...n.metadata.labels }, addresses };
}

/** A ClusterNetworkPolicy (v1alpha2) in the same model: Accept is Allow; `protocols` become ports. */
export function buildClusterNetworkPolicy(o: api.ClusterNetworkPolicy): AdminPolicy {
  const spec = o.spec ?? {};
  const rule = (r: api.ClusterNetworkPolicyRule, peers: api.ClusterNetworkPolicyPeer[] | undefined) => buildAdminRule(r, peers, r.protocols?.map(buildCnpProtocol));
  return {
    kind: "ClusterNetworkPolicy",
    tier: spec.tier === "Baseline" ? "baseline" : "admin",
    name: o.metadata.name!,
    priority: spec.priority ?? 0,
    subject: buildSubject(spec.subject),
    ingress: (spec.ingress ?? []).map((r) => rule(r, r.from)),
    egress: (spec.egress ?? []).map((r) => rule(r, r.to)),
  };
}

function buildCnpProtocol(p: api.ClusterNetworkPolicyProtocol): AdminPort {
  if (p.destinationNamedPort !== undefined) return { kind: "named", name: p.destinationNamedPort };
  const protocol: Protocol = p.tcp ? "TCP" : p.udp ? "UDP" : "SCTP";
  const port = (p.tcp ?? p.udp ?? p.sctp)!.destinationPort!;
  if (port.range) return { kind: "range", protocol, start: port.range.start!, end: port.range.end! };
  return { kind: "number", protocol, port: port.number! };
}
