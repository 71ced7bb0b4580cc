/**
 * policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy as their
 * CRDs validate them (ANP.md §1, §4–§6): OpenAPI rules (required, enum, minimum/maximum,
 * minItems/maxItems, minProperties=maxProperties=1 for "exactly one field", listType=set) in
 * kube-openapi's wording as the apiextensions server converts it to field errors, and the CEL
 * rules with their upstream messages, shown on the value `"object"` as the server shows them.
 * Beyond the CRD, selectors, protocols and named ports get the checks the built-in kinds get,
 * because the evaluator has to read them. Also core/v1 Node, whose addresses `nodes` peers match.
 */

import type {
  AdminNetworkPolicy,
  AdminNetworkPolicyPeer,
  AdminNetworkPolicyPort,
  AdminNetworkPolicyRule,
  AdminNetworkPolicySpec,
  AdminNetworkPolicySubject,
  BaselineAdminNetworkPolicy,
  Node,
  ObjectMeta,
  ClusterNetworkPolicy,
  ClusterNetworkPolicyPort,
  ClusterNetworkPolicyProtocol,
  ClusterNetworkPolicyRule,
} from "../load/api.js";
import { type FieldIssue, fieldWarning, issue, showValue } from "../load/diagnostics.js";
import { type FieldPath, renderPath } from "../load/path.js";
import type { ValidateOptions } from "./index.js";
import { validateObjectMeta } from "./meta.js";
import { isValidPortName, nameIsDNSSubdomain } from "./names.js";
import { PROTOCOLS, checkCIDR } from "./networkpolicy.js";
import { checkIP } from "./pod.js";
import { validateLabelSelector } from "./selector.js";

const ANP_ACTIONS = ["Allow", "Deny", "Pass"];
const BANP_ACTIONS = ["Allow", "Deny"];
/** Not an enum in the CRD (a defaulted string); enforced because no other value can be evaluated. */
const MAX_RULES = 100;
const MAX_PEERS = 100;
const MAX_PORTS = 100;
const MAX_NETWORKS = 25;
const MAX_RULE_NAME = 100;
const MAX_CIDR_LENGTH = 43;
const BANP_NAME = "default";
const BANP_NAME_RULE =
  'Only one baseline admin network policy with metadata.name="default" can be created in the cluster';
const NAMED_PORT_RULE =
  "networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes";
const PORT_RANGE_RULE = "Start port must be less than End port";
/** Node address types whose value is an IP; the others (Hostname, InternalDNS, …) are free text. */
const IP_ADDRESS_TYPES = ["InternalIP", "ExternalIP"];

/** kube-openapi names the field again inside its messages. */
const inBody = (path: FieldPath) => `${renderPath(path)} in body`;


/** A CEL rule failing reports the type of the node it sits on, not its value. */
const celRule = (path: FieldPath, message: string) => issue.invalid(path, "object", message);

/** CRD maxLength counts characters (code points), not bytes. */
const characters = (s: string) => [...s].length;

function checkRange(value: number | undefined, path: FieldPath, min: number, max: number): FieldIssue[] {
  if (value === undefined) return [issue.required(path)];
  if (value < min) return [issue.invalid(path, value, `${inBody(path)} should be greater than or equal to ${min}`)];
  if (value > max) return [issue.invalid(path, value, `${inBody(path)} should be less than or equal to ${max}`)];
  return [];
}

function checkItems(items: readonly unknown[], path: FieldPath, min: number, max: number): FieldIssue[] {
  if (items.length < min) {
    return [issue.invalid(path, items.length, `${inBody(path)} should have at least ${min} items`)];
  }
  return items.length > max ? [issue.tooMany(path, items.length, max)] : [];
}

/** minProperties=maxProperties=1: exactly one field set (decoding has already refused unknown ones). */
function checkOneField(obj: object, path: FieldPath): FieldIssue[] {
  const count = Object.values(obj).filter((v) => v !== undefined).length;
  if (count === 0) return [issue.invalid(path, 0, `${inBody(path)} should have at least 1 properties`)];
  return count > 1 ? [issue.tooMany(path, count, 1)] : [];
}

/** The `namespaces` and `pods` fields that subjects and peers share; `pods` needs both selectors. */
function validatePodSelection(
  selection: Pick<AdminNetworkPolicySubject, "namespaces" | "pods">,
  path: FieldPath,
): FieldIssue[] {
  const out = validateLabelSelector(selection.namespaces, [...path, "namespaces"]);
  const { pods } = selection;
  if (pods === undefined) return out;
  for (const field of ["namespaceSelector", "podSelector"] as const) {
    const at = [...path, "pods", field];
    if (pods[field] === undefined) out.push(issue.required(at));
    else out.push(...validateLabelSelector(pods[field], at));
  }
  return out;
}

function validateSubject(subject: AdminNetworkPolicySubject | undefined, path: FieldPath): FieldIssue[] {
  if (subject === undefined) return [issue.required(path)];
  return [...checkOneField(subject, path), ...validatePodSelection(subject, path)];
}

/**
 * listType=set makes a repeated entry a Duplicate. Upstream the entries pass CEL `isCIDR`
 * ("Invalid CIDR format provided"), which accepts host bits but not leading zeros or IPv4-mapped
 * addresses; here all three follow checkCIDR as ipBlock does: errors when strict, else warnings.
 */
function validateNetworks(networks: readonly string[], path: FieldPath, options: ValidateOptions): FieldIssue[] {
  const out = checkItems(networks, path, 1, MAX_NETWORKS);
  const seen = new Set<string>();
  networks.forEach((text, k) => {
    const at = [...path, k];
    if (characters(text) > MAX_CIDR_LENGTH) out.push(issue.tooLong(at, MAX_CIDR_LENGTH));
    out.push(...checkCIDR(text, at, options).issues);
    if (seen.has(text)) out.push(issue.duplicate(at, text));
    seen.add(text);
  });
  return out;
}

/** Ingress peers have no `networks`/`nodes` fields at all: decoding refuses them there. */
function validatePeer(peer: AdminNetworkPolicyPeer, path: FieldPath, options: ValidateOptions): FieldIssue[] {
  const out = [...checkOneField(peer, path), ...validatePodSelection(peer, path)];
  if (peer.networks !== undefined) out.push(...validateNetworks(peer.networks, [...path, "networks"], options));
  out.push(...validateLabelSelector(peer.nodes, [...path, "nodes"]));
  return out;
}

/** Absent is TCP (the CRD default); an explicit "" is not defaulted. */
function validateProtocol(protocol: string | undefined, path: FieldPath): FieldIssue[] {
  if (protocol === undefined || PROTOCOLS.includes(protocol)) return [];
  return [issue.notSupported([...path, "protocol"], protocol, PROTOCOLS)];
}

function validatePortRange(range: NonNullable<AdminNetworkPolicyPort["portRange"]>, path: FieldPath): FieldIssue[] {
  const out = [
    ...validateProtocol(range.protocol, path),
    ...checkRange(range.start, [...path, "start"], 1, 65535),
    ...checkRange(range.end, [...path, "end"], 1, 65535),
  ];
  // Upstream the rule fails on the missing key too; that is already a Required value above.
  if (range.start !== undefined && range.end !== undefined && range.start >= range.end) {
    out.push(celRule(path, PORT_RANGE_RULE));
  }
  return out;
}

function validatePort(port: AdminNetworkPolicyPort, path: FieldPath): FieldIssue[] {
  const out = checkOneField(port, path);
  const { portNumber } = port;
  if (portNumber !== undefined) {
    const at = [...path, "portNumber"];
    out.push(...validateProtocol(portNumber.protocol, at), ...checkRange(portNumber.port, [...at, "port"], 1, 65535));
  }
  if (port.portRange !== undefined) out.push(...validatePortRange(port.portRange, [...path, "portRange"]));
  const name = port.namedPort;
  // The CRD takes any string; a name that is no IANA_SVC_NAME can never match a container port.
  if (name !== undefined) {
    for (const msg of isValidPortName(name)) out.push(issue.invalid([...path, "namedPort"], name, msg));
  }
  return out;
}

/** Named ports resolve on the destination pod; a CIDR or a node has none (egress-rule CEL rule). */
function namedPortToNonPods(rule: AdminNetworkPolicyRule): boolean {
  const nonPodPeer = (rule.to ?? []).some((peer) => peer.networks !== undefined || peer.nodes !== undefined);
  return nonPodPeer && (rule.ports ?? []).some((port) => port.namedPort !== undefined);
}

interface Direction {
  readonly field: "ingress" | "egress";
  readonly peers: "from" | "to";
}

const INGRESS: Direction = { field: "ingress", peers: "from" };
const EGRESS: Direction = { field: "egress", peers: "to" };

interface Tier {
  readonly actions: readonly string[];
  readonly options: ValidateOptions;
}

function validateRule(rule: AdminNetworkPolicyRule, path: FieldPath, dir: Direction, tier: Tier): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (rule.name !== undefined && characters(rule.name) > MAX_RULE_NAME) {
    out.push(issue.tooLong([...path, "name"], MAX_RULE_NAME));
  }
  const { action } = rule;
  if (action === undefined) out.push(issue.required([...path, "action"]));
  else if (!tier.actions.includes(action)) out.push(issue.notSupported([...path, "action"], action, tier.actions));
  const peers = rule[dir.peers];
  const peersPath = [...path, dir.peers];
  if (peers === undefined) out.push(issue.required(peersPath));
  else {
    out.push(...checkItems(peers, peersPath, 1, MAX_PEERS));
    peers.forEach((peer, j) => out.push(...validatePeer(peer, [...peersPath, j], tier.options)));
  }
  if (rule.ports !== undefined) {
    out.push(...checkItems(rule.ports, [...path, "ports"], 1, MAX_PORTS));
    rule.ports.forEach((port, j) => out.push(...validatePort(port, [...path, "ports", j])));
  }
  if (dir.field === "egress" && namedPortToNonPods(rule)) out.push(celRule(path, NAMED_PORT_RULE));
  return out;
}

function validateRules(spec: AdminNetworkPolicySpec, dir: Direction, tier: Tier): FieldIssue[] {
  const rules = spec[dir.field];
  if (rules === undefined) return [];
  const path = ["spec", dir.field];
  const out = checkItems(rules, path, 0, MAX_RULES);
  rules.forEach((rule, i) => out.push(...validateRule(rule, [...path, i], dir, tier)));
  return out;
}

function validateAdminSpec(spec: AdminNetworkPolicySpec, tier: Tier): FieldIssue[] {
  return [
    ...validateSubject(spec.subject, ["spec", "subject"]),
    ...validateRules(spec, INGRESS, tier),
    ...validateRules(spec, EGRESS, tier),
  ];
}

/** The server clears metadata.namespace of a cluster-scoped object before validating it. */
function validateClusterScopedMeta(kind: string, meta: ObjectMeta): FieldIssue[] {
  const out = validateObjectMeta(meta, { name: nameIsDNSSubdomain, namespaced: false });
  const namespace = meta.namespace ?? "";
  if (namespace !== "") {
    out.push(fieldWarning(["metadata", "namespace"], `${showValue(namespace)} is ignored: ${kind} is cluster-scoped`));
  }
  return out;
}

export function validateAdminNetworkPolicy(anp: AdminNetworkPolicy, options: ValidateOptions): FieldIssue[] {
  const out = validateClusterScopedMeta(anp.kind, anp.metadata);
  if (anp.spec === undefined) return [...out, issue.required(["spec"])];
  out.push(...checkRange(anp.spec.priority, ["spec", "priority"], 0, 1000));
  out.push(...validateAdminSpec(anp.spec, { actions: ANP_ACTIONS, options }));
  return out;
}

export function validateBaselineAdminNetworkPolicy(
  banp: BaselineAdminNetworkPolicy,
  options: ValidateOptions,
): FieldIssue[] {
  const out = validateClusterScopedMeta(banp.kind, banp.metadata);
  // A rule on the object's root: the server reports it without a field path.
  const name = banp.metadata.name ?? "";
  if (name !== "" && name !== BANP_NAME) out.push(celRule([], BANP_NAME_RULE));
  if (banp.spec === undefined) return [...out, issue.required(["spec"])];
  out.push(...validateAdminSpec(banp.spec, { actions: BANP_ACTIONS, options }));
  return out;
}

/**
 * The API server does not parse node addresses; the evaluator must, to match `nodes` peers.
 * Without options, the forms a 1.36+ server rejects elsewhere are warnings naming the reading.
 */
export function validateNode(node: Node): FieldIssue[] {
  const out = validateClusterScopedMeta(node.kind, node.metadata);
  (node.status?.addresses ?? []).forEach((address, i) => {
    if (!IP_ADDRESS_TYPES.includes(address.type ?? "")) return;
    out.push(...checkIP(address.address ?? "", ["status", "addresses", i, "address"], { strict: false }).issues);
  });
  return out;
}

// policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy: one kind for both tiers, at most 25
// rules, peers, protocols and networks; actions Accept/Deny/Pass; `protocols` instead of ports.
const CNP_TIERS = ["Admin", "Baseline"];
const CNP_ACTIONS = ["Accept", "Deny", "Pass"];
const CNP_MAX = 25;
const CNP_NAMED_PORT_RULE = "networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames";
const DOMAIN_NAME = /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

function validateCnpPort(port: ClusterNetworkPolicyPort | undefined, path: FieldPath): FieldIssue[] {
  if (port === undefined) return [issue.invalid(path.slice(0, -1), 0, `${inBody(path.slice(0, -1))} should have at least 1 properties`)];
  const out = checkOneField(port, path);
  if (port.number !== undefined) out.push(...checkRange(port.number, [...path, "number"], 1, 65535));
  if (port.range !== undefined) {
    const at = [...path, "range"];
    out.push(...checkRange(port.range.start, [...at, "start"], 1, 65535), ...checkRange(port.range.end, [...at, "end"], 1, 65535));
    if (port.range.start !== undefined && port.range.end !== undefined && port.range.start >= port.range.end) out.push(celRule(at, PORT_RANGE_RULE));
  }
  return out;
}

function validateCnpProtocol(protocol: ClusterNetworkPolicyProtocol, path: FieldPath): FieldIssue[] {
  const out = checkOneField(protocol, path);
  for (const p of ["tcp", "udp", "sctp"] as const) {
    if (protocol[p] !== undefined) out.push(...validateCnpPort(protocol[p]!.destinationPort, [...path, p, "destinationPort"]));
  }
  const name = protocol.destinationNamedPort;
  if (name !== undefined) for (const msg of isValidPortName(name)) out.push(issue.invalid([...path, "destinationNamedPort"], name, msg));
  return out;
}

function validateCnpRule(rule: ClusterNetworkPolicyRule, path: FieldPath, direction: "ingress" | "egress", options: ValidateOptions): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (rule.name !== undefined && characters(rule.name) > MAX_RULE_NAME) out.push(issue.tooLong([...path, "name"], MAX_RULE_NAME));
  if (rule.action === undefined) out.push(issue.required([...path, "action"]));
  else if (!CNP_ACTIONS.includes(rule.action)) out.push(issue.notSupported([...path, "action"], rule.action, CNP_ACTIONS));
  const key = direction === "ingress" ? "from" : "to";
  const peers = rule[key];
  if (peers === undefined) out.push(issue.required([...path, key]));
  else {
    out.push(...checkItems(peers, [...path, key], 1, CNP_MAX));
    peers.forEach((peer, j) => {
      const at = [...path, key, j];
      const { domainNames, ...rest } = peer;
      if (domainNames === undefined) out.push(...validatePeer(rest, at, options));
      else {
        out.push(...checkOneField(peer, at));
        out.push(fieldWarning([...at, "domainNames"], "not evaluated (names need DNS at run time): the peer fails closed, so an Accept rule matches nothing through it and a Deny or Pass rule denies everything"));
        domainNames.forEach((d, k) => {
          if (!DOMAIN_NAME.test(d)) out.push(issue.invalid([...at, "domainNames", k], d, `${inBody([...at, "domainNames", k])} should match '${DOMAIN_NAME.source}'`));
        });
      }
      if (peer.networks !== undefined && peer.networks.length > CNP_MAX) out.push(issue.tooMany([...at, "networks"], peer.networks.length, CNP_MAX));
    });
  }
  if (rule.protocols !== undefined) {
    out.push(...checkItems(rule.protocols, [...path, "protocols"], 1, CNP_MAX));
    rule.protocols.forEach((p, j) => out.push(...validateCnpProtocol(p, [...path, "protocols", j])));
  }
  const nonPod = (rule.to ?? []).some((p) => p.networks !== undefined || p.nodes !== undefined || p.domainNames !== undefined);
  if (direction === "egress" && nonPod && (rule.protocols ?? []).some((p) => p.destinationNamedPort !== undefined)) out.push(celRule(path, CNP_NAMED_PORT_RULE));
  return out;
}

export function validateClusterNetworkPolicy(cnp: ClusterNetworkPolicy, options: ValidateOptions): FieldIssue[] {
  const out = validateClusterScopedMeta(cnp.kind, cnp.metadata);
  const spec = cnp.spec;
  if (spec === undefined) return [...out, issue.required(["spec"])];
  if (spec.tier === undefined) out.push(issue.required(["spec", "tier"]));
  else if (!CNP_TIERS.includes(spec.tier)) out.push(issue.notSupported(["spec", "tier"], spec.tier, CNP_TIERS));
  out.push(...checkRange(spec.priority, ["spec", "priority"], 0, 1000));
  out.push(...validateSubject(spec.subject, ["spec", "subject"]));
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (rules === undefined) continue;
    out.push(...checkItems(rules, ["spec", direction], 0, CNP_MAX));
    rules.forEach((rule, i) => out.push(...validateCnpRule(rule, ["spec", direction, i], direction, options)));
  }
  return out;
}
