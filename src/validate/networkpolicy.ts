/**
 * networking/v1 NetworkPolicy as ValidateNetworkPolicy checks it on create
 * (pkg/apis/networking/validation), after the defaults of section 3 of VALIDATION.md: an
 * absent `protocol` is TCP and passes, an explicit `""` does not; absent or empty policyTypes
 * are defaulted and pass.
 */

import type {
  IPBlock,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
} from "../load/api.js";
import { type FieldIssue, fieldWarning, issue, showValue } from "../load/diagnostics.js";
import type { FieldPath } from "../load/path.js";
import type { ValidateOptions } from "./index.js";
import { type CIDR, HOST_BITS, IPV4_MAPPED, LEADING_ZEROS, cidrStrictlyContains, parseCIDR } from "./ip.js";
import { validateObjectMeta } from "./meta.js";
import { isValidPortName, isValidPortNum, nameIsDNSSubdomain } from "./names.js";
import { validateLabelSelector } from "./selector.js";

export const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const POLICY_TYPES = ["Ingress", "Egress"];

function validatePortRange(port: NetworkPolicyPort, path: FieldPath): FieldIssue[] {
  const portPath = [...path, "port"];
  const endPath = [...path, "endPort"];
  const { endPort } = port;
  if (port.port === undefined) {
    if (endPort === undefined) return [];
    return [issue.invalid(endPath, endPort, "may not be specified when `port` is not specified")];
  }
  const out: FieldIssue[] = [];
  if (typeof port.port === "string") {
    const name = port.port;
    if (endPort !== undefined) {
      out.push(issue.invalid(endPath, endPort, "may not be specified when `port` is non-numeric"));
    }
    for (const msg of isValidPortName(name)) out.push(issue.invalid(portPath, name, msg));
    return out;
  }
  const num = port.port;
  for (const msg of isValidPortNum(num)) out.push(issue.invalid(portPath, num, msg));
  if (endPort !== undefined) {
    // Upstream shows `port` as the value here; the endPort value is what the reader must fix.
    if (endPort < num) out.push(issue.invalid(endPath, endPort, "must be greater than or equal to `port`"));
    for (const msg of isValidPortNum(endPort)) out.push(issue.invalid(endPath, endPort, msg));
  }
  return out;
}

export function validatePort(port: NetworkPolicyPort, path: FieldPath): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) {
    out.push(issue.notSupported([...path, "protocol"], port.protocol, PROTOCOLS));
  }
  out.push(...validatePortRange(port, path));
  return out;
}

const CIDR_WORDING: Readonly<Record<string, string>> = {
  [LEADING_ZEROS]: "must not have leading 0s in IP or prefix length",
  [IPV4_MAPPED]: IPV4_MAPPED,
  [HOST_BITS]: HOST_BITS,
};

interface CheckedCIDR {
  readonly cidr?: CIDR;
  readonly issues: FieldIssue[];
}

/**
 * The KEP-4858 forms are errors for a 1.36+ server (strict) and, by netpol-wasm's lenient
 * default (VALIDATION.md I7), warnings naming the masked network the value is read as.
 */
export function checkCIDR(text: string, path: FieldPath, options: ValidateOptions): CheckedCIDR {
  const parsed = parseCIDR(text);
  if (!parsed.ok) return { issues: parsed.problems.map((msg) => issue.invalid(path, text, msg)) };
  const cidr = parsed.value;
  const issues = parsed.problems.map((problem) => {
    const detail = CIDR_WORDING[problem] ?? problem;
    if (options.strict) return issue.invalid(path, text, detail);
    return fieldWarning(
      path,
      `Invalid value: ${showValue(text)}: ${detail}; read as ${showValue(cidr.text)} (rejected by Kubernetes 1.36+)`,
    );
  });
  if (issues.length === 0 && cidr.family === 6 && cidr.text !== text) {
    const detail = `should be in RFC 5952 canonical format (${showValue(cidr.text)})`;
    issues.push(fieldWarning(path, `IPv6 CIDR value ${showValue(text)} ${detail}`));
  }
  return { cidr, issues };
}

export function validateIPBlock(block: IPBlock, path: FieldPath, options: ValidateOptions): FieldIssue[] {
  const cidrText = block.cidr ?? "";
  if (cidrText === "") return [issue.required([...path, "cidr"])];
  const outer = checkCIDR(cidrText, [...path, "cidr"], options);
  const outerCIDR = outer.cidr;
  // I3: with an unreadable cidr there is nothing to compare the excepts against.
  if (outerCIDR === undefined) return outer.issues;
  const out = [...outer.issues];
  (block.except ?? []).forEach((text, k) => {
    const exceptPath = [...path, "except", k];
    const inner = checkCIDR(text, exceptPath, options);
    out.push(...inner.issues);
    // Compared as read (host bits masked), as ParseCIDRSloppy does upstream.
    if (inner.cidr !== undefined && !cidrStrictlyContains(outerCIDR, inner.cidr)) {
      out.push(issue.invalid(exceptPath, text, "must be a strict subset of `cidr`"));
    }
  });
  return out;
}

export function validatePeer(peer: NetworkPolicyPeer, path: FieldPath, options: ValidateOptions): FieldIssue[] {
  const out: FieldIssue[] = [];
  let count = 0;
  if (peer.podSelector !== undefined) {
    count++;
    out.push(...validateLabelSelector(peer.podSelector, [...path, "podSelector"]));
  }
  if (peer.namespaceSelector !== undefined) {
    count++;
    out.push(...validateLabelSelector(peer.namespaceSelector, [...path, "namespaceSelector"]));
  }
  if (peer.ipBlock !== undefined) {
    count++;
    out.push(...validateIPBlock(peer.ipBlock, [...path, "ipBlock"], options));
  }
  if (count === 0) out.push(issue.required(path, "must specify a peer"));
  else if (count > 1 && peer.ipBlock !== undefined) {
    out.push(issue.forbidden(path, "may not specify both ipBlock and another peer"));
  }
  return out;
}

interface Rule {
  readonly ports?: readonly NetworkPolicyPort[];
  readonly peers?: readonly NetworkPolicyPeer[];
}

function validateRule(rule: Rule, path: FieldPath, peersField: "from" | "to", options: ValidateOptions): FieldIssue[] {
  const out: FieldIssue[] = [];
  (rule.ports ?? []).forEach((port, j) => out.push(...validatePort(port, [...path, "ports", j])));
  (rule.peers ?? []).forEach((peer, j) => out.push(...validatePeer(peer, [...path, peersField, j], options)));
  return out;
}

export function validatePolicyTypes(types: readonly string[] | undefined, path: FieldPath): FieldIssue[] {
  if (types === undefined) return [];
  // Upstream stops here: with too many entries, none is examined on its own.
  if (types.length > POLICY_TYPES.length) {
    return [issue.invalid(path, types, "may not specify more than two policyTypes")];
  }
  const out: FieldIssue[] = [];
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) out.push(issue.notSupported([...path, i], t, POLICY_TYPES));
  });
  return out;
}

export function validateNetworkPolicySpec(spec: NetworkPolicySpec, options: ValidateOptions): FieldIssue[] {
  const out = validateLabelSelector(spec.podSelector, ["spec", "podSelector"]);
  (spec.ingress ?? []).forEach((rule, i) => {
    out.push(...validateRule({ ports: rule.ports, peers: rule.from }, ["spec", "ingress", i], "from", options));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    out.push(...validateRule({ ports: rule.ports, peers: rule.to }, ["spec", "egress", i], "to", options));
  });
  out.push(...validatePolicyTypes(spec.policyTypes, ["spec", "policyTypes"]));
  return out;
}

export function validateNetworkPolicy(np: NetworkPolicy, options: ValidateOptions): FieldIssue[] {
  return [
    ...validateObjectMeta(np.metadata, { name: nameIsDNSSubdomain, namespaced: true }),
    ...validateNetworkPolicySpec(np.spec ?? {}, options),
  ];
}
