/**
 * The parts of a Pod a policy evaluator reads: name and labels, container ports (which named
 * ports resolve against, validateContainerPorts upstream) and pod IPs. Pod IPs are checked as
 * ValidatePodStatusUpdate checks them: the server drops status on create, but this tool reads
 * status, so it must hold status to the rules the server applies when status is written.
 */

import type { Container, ContainerPort, Pod, PodIP } from "../load/api.js";
import { type FieldIssue, fieldWarning, issue, showValue } from "../load/diagnostics.js";
import type { FieldPath } from "../load/path.js";
import type { ValidateOptions } from "./index.js";
import { type IPAddress, IPV4_MAPPED, LEADING_ZEROS, parseIP } from "./ip.js";
import { validateObjectMeta } from "./meta.js";
import { isValidPortName, isValidPortNum, nameIsDNSSubdomain } from "./names.js";

/** In the order the server lists them (a sorted set). */
const PROTOCOLS = ["SCTP", "TCP", "UDP"];

function validatePortName(name: string, path: FieldPath, seen: Set<string>): FieldIssue[] {
  const msgs = isValidPortName(name);
  if (msgs.length > 0) return msgs.map((msg) => issue.invalid(path, name, msg));
  if (seen.has(name)) return [issue.duplicate(path, name)];
  seen.add(name);
  return [];
}

function validatePortNumber(value: number, path: FieldPath): FieldIssue[] {
  return isValidPortNum(value).map((msg) => issue.invalid(path, value, msg));
}

function validateContainerPort(port: ContainerPort, path: FieldPath, seen: Set<string>): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (port.name !== undefined && port.name !== "") out.push(...validatePortName(port.name, [...path, "name"], seen));
  // 0 is Go's zero value: an absent containerPort and an explicit 0 are the same to the server.
  const containerPort = port.containerPort ?? 0;
  if (containerPort === 0) out.push(issue.required([...path, "containerPort"]));
  else out.push(...validatePortNumber(containerPort, [...path, "containerPort"]));
  const hostPort = port.hostPort ?? 0;
  if (hostPort !== 0) out.push(...validatePortNumber(hostPort, [...path, "hostPort"]));
  // Unlike NetworkPolicyPort, an empty protocol here is defaulted to TCP before validation.
  const protocol = port.protocol ?? "";
  if (protocol !== "" && !PROTOCOLS.includes(protocol)) {
    out.push(issue.notSupported([...path, "protocol"], protocol, PROTOCOLS));
  }
  return out;
}

/** Port names are unique within one container's list, not across the pod. */
function validateContainer(container: Container, path: FieldPath): FieldIssue[] {
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  (container.ports ?? []).forEach((port, p) => out.push(...validateContainerPort(port, [...path, "ports", p], seen)));
  return out;
}

const IP_WORDING: Readonly<Record<string, string>> = {
  [LEADING_ZEROS]: "must not have leading 0s",
  [IPV4_MAPPED]: "must not be an IPv4-mapped IPv6 address",
};

interface CheckedIP {
  readonly ip?: IPAddress;
  readonly issues: FieldIssue[];
}

/** Strict forms as for CIDRs (VALIDATION.md I7): errors when strict, else warnings naming the reading. */
export function checkIP(text: string, path: FieldPath, options: ValidateOptions): CheckedIP {
  const parsed = parseIP(text);
  if (!parsed.ok) return { issues: parsed.problems.map((msg) => issue.invalid(path, text, msg)) };
  const ip = parsed.value;
  const issues = parsed.problems.map((problem) => {
    const detail = IP_WORDING[problem] ?? problem;
    if (options.strict) return issue.invalid(path, text, detail);
    return fieldWarning(
      path,
      `Invalid value: ${showValue(text)}: ${detail}; read as ${showValue(ip.text)} (rejected by Kubernetes 1.36+)`,
    );
  });
  if (issues.length === 0 && ip.family === 6 && ip.text !== text) {
    const detail = `should be in RFC 5952 canonical format (${showValue(ip.text)})`;
    issues.push(fieldWarning(path, `IPv6 address ${showValue(text)} ${detail}`));
  }
  return { ip, issues };
}

/** More than one pod IP must be a dual-stack pair; unparseable entries are already reported. */
function validateDualStack(podIPs: readonly PodIP[], parsed: readonly (IPAddress | undefined)[]): FieldIssue[] {
  const path = ["status", "podIPs"];
  const out: FieldIssue[] = [];
  const families = parsed.flatMap((ip) => (ip ? [ip.family] : []));
  if (podIPs.length > 2 || (families.length === 2 && families[0] === families[1])) {
    const shown = podIPs.map((p) => p.ip ?? "");
    out.push(issue.invalid(path, shown, "may specify no more than one IP for each IP family"));
  }
  const seen = new Set<string>();
  podIPs.forEach((p, i) => {
    const key = parsed[i]?.text ?? p.ip ?? "";
    if (seen.has(key)) out.push(issue.duplicate([...path, i], p.ip ?? ""));
    seen.add(key);
  });
  return out;
}

function validatePodIPs(status: NonNullable<Pod["status"]>, options: ValidateOptions): FieldIssue[] {
  const out: FieldIssue[] = [];
  const podIPs = status.podIPs ?? [];
  const parsed = podIPs.map((p, i) => {
    const checked = checkIP(p.ip ?? "", ["status", "podIPs", i], options);
    out.push(...checked.issues);
    return checked.ip;
  });
  if (podIPs.length > 1) out.push(...validateDualStack(podIPs, parsed));
  // podIP disagreeing with podIPs[0] is no error (podIP wins); equal, it is already checked.
  const podIP = status.podIP ?? "";
  if (podIP !== "" && podIP !== podIPs[0]?.ip) out.push(...checkIP(podIP, ["status", "podIP"], options).issues);
  return out;
}

export function validatePod(pod: Pod, options: ValidateOptions): FieldIssue[] {
  const out = validateObjectMeta(pod.metadata, { name: nameIsDNSSubdomain, namespaced: true });
  (pod.spec?.containers ?? []).forEach((c, i) => out.push(...validateContainer(c, ["spec", "containers", i])));
  if (pod.status !== undefined) out.push(...validatePodIPs(pod.status, options));
  return out;
}
