/**
 * The whole front half of the pipeline: sources → documents → typed objects → validated →
 * Cluster. All problems of all files are collected; if any is an error, nothing is returned
 * (a PolicyError carries every diagnostic), so no caller ever sees a half-loaded cluster.
 */
import type * as api from "../load/api.js";
import { type Diagnostic, PolicyError } from "../load/diagnostics.js";
import { CLUSTER_SCOPED, describeObject, type LoadedObject, locatedIssue, readObjects } from "../load/objects.js";
import { type ParsedDocument, type Source, parseText } from "../load/parse.js";
import { validateObject } from "../validate/index.js";
import { buildAdminPolicy, buildClusterNetworkPolicy, buildNamespace, buildNode, buildPod, buildPolicy, implicitNamespace } from "./build.js";
import type { AdminPolicy, Cluster, Namespace, NetworkPolicy, Node, Pod } from "./types.js";

export type { Source };

export interface LoadOptions {
  /** Reject what a 1.36+ API server rejects on create (non-canonical CIDRs and IPs). */
  readonly strict?: boolean;
}

export interface Loaded {
  readonly cluster: Cluster;
  /** Warnings and notices; errors never reach here (they throw). */
  readonly warnings: readonly Diagnostic[];
}

export function loadCluster(sources: readonly Source[], options: LoadOptions = {}): Loaded {
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  for (const source of sources) {
    const parsed = parseText(source.file, source.text);
    append(documents, parsed.documents);
    append(diagnostics, parsed.diagnostics);
  }
  return fromDocuments(documents, diagnostics, options);
}

/** The same pipeline for objects already in memory (generated ones, or from an API client). */
export function clusterFromObjects(objects: readonly unknown[], options: LoadOptions = {}): Loaded {
  const documents = objects.map((value, i): ParsedDocument => ({ file: "<objects>", index: i + 1, value, locate: () => undefined }));
  return fromDocuments(documents, [], options);
}

function fromDocuments(documents: readonly ParsedDocument[], diagnostics: Diagnostic[], options: LoadOptions): Loaded {
  const { read, valid } = readValid(documents, diagnostics, options);
  append(diagnostics, duplicates(read.objects));
  const cluster = assemble(valid, diagnostics);
  if (diagnostics.some((d) => d.severity === "error")) throw new PolicyError(diagnostics);
  return { cluster, warnings: diagnostics };
}

/**
 * Documents → typed objects → validated: every object read, those without errors, and the
 * diagnostics of both steps (and of kinds skipped) added to `diagnostics`.
 */
function readValid(documents: readonly ParsedDocument[], diagnostics: Diagnostic[], options: LoadOptions): { read: ReturnType<typeof readObjects>; valid: LoadedObject[] } {
  const read = readObjects(documents);
  append(diagnostics, read.diagnostics);
  for (const [key, s] of read.skipped) {
    const what = s.warn ? s.message : `skipped ${s.count} × ${key}: not used by network policy`;
    diagnostics.push({ severity: s.warn ? "warning" : "notice", file: s.file, message: s.warn ? `${what} (${s.count} object${s.count > 1 ? "s" : ""})` : what });
  }
  const valid: LoadedObject[] = [];
  for (const o of read.objects) {
    const issues = validateObject(o.object, { strict: options.strict ?? false });
    const label = describeObject(o.kind, o.object, o.document, o.at);
    for (const i of issues) diagnostics.push(locatedIssue(i, o.document, o.at, label));
    if (!issues.some((i) => i.severity === "error")) valid.push(o);
  }
  return { read, valid };
}

/** One object of a cluster state, built: what live updates keep per kind, namespace and name. */
export interface ModelEntry {
  readonly kind: LoadedObject["kind"];
  readonly model: Namespace | Pod | NetworkPolicy | AdminPolicy | Node;
}

/** `kind NUL namespace NUL name`: one cluster state holds one object per key. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\0${namespace ?? ""}\0${name}`;
}

/**
 * Objects read, validated and built one by one (the objects of watch events): errors throw a
 * PolicyError naming each object and field, as loading does; objects of kinds network policy
 * does not use are skipped with a notice. `file` names the source in diagnostics.
 */
export function modelObjects(objects: readonly unknown[], options: LoadOptions = {}, file = "<changes>"): { entries: ModelEntry[]; warnings: Diagnostic[] } {
  const documents = objects.map((value, i): ParsedDocument => ({ file, index: i + 1, value, locate: () => undefined }));
  const diagnostics: Diagnostic[] = [];
  const { valid } = readValid(documents, diagnostics, options);
  if (diagnostics.some((d) => d.severity === "error")) throw new PolicyError(diagnostics);
  return { entries: valid.map((o) => ({ kind: o.kind, model: buildModel(o) })), warnings: diagnostics };
}

function buildModel(o: LoadedObject): ModelEntry["model"] {
  switch (o.kind) {
    case "Namespace":
      return buildNamespace(o.object as api.Namespace);
    case "Pod":
      return buildPod(o.object as api.Pod);
    case "NetworkPolicy":
      return buildPolicy(o.object as api.NetworkPolicy);
    case "ClusterNetworkPolicy":
      return buildClusterNetworkPolicy(o.object as api.ClusterNetworkPolicy);
    case "Node":
      return buildNode(o.object as api.Node);
    default:
      return buildAdminPolicy(o.object as api.AdminNetworkPolicy | api.BaselineAdminNetworkPolicy);
  }
}

/** push(...items) overflows the stack past ~100k items; inputs can have millions. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function place(o: LoadedObject): string {
  const pos = o.document.locate(o.at);
  return `${o.document.file}${pos ? `:${pos.line}:${pos.column}` : ` (document ${o.document.index})`}`;
}

/** D10: one cluster state cannot hold two objects of the same kind, namespace and name. */
function duplicates(objects: readonly LoadedObject[]): Diagnostic[] {
  const seen = new Map<string, LoadedObject>();
  const out: Diagnostic[] = [];
  for (const o of objects) {
    const key = `${o.kind}\0${o.object.metadata.namespace ?? ""}\0${o.object.metadata.name ?? ""}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, o);
      continue;
    }
    const label = describeObject(o.kind, o.object, o.document, o.at);
    const pos = o.document.locate(o.at);
    out.push({
      severity: "error", file: o.document.file, line: pos?.line, column: pos?.column, object: label,
      message: `already exists: defined again here, first at ${place(first)}`,
    });
  }
  return out;
}

function assemble(objects: readonly LoadedObject[], diagnostics: Diagnostic[]): Cluster {
  const namespaces = new Map<string, Namespace>();
  const pods: Pod[] = [];
  const policies: NetworkPolicy[] = [];
  const adminPolicies: AdminPolicy[] = [];
  const nodes: Node[] = [];
  const owners = new Map<string, { pod: Pod; o: LoadedObject }>();
  for (const o of objects) {
    const model = buildModel(o);
    if (o.kind === "Namespace") namespaces.set((model as Namespace).name, model as Namespace);
    else if (o.kind === "Pod") {
      const pod = model as Pod;
      pods.push(pod);
      for (const ip of pod.ips) {
        const other = owners.get(ip.text);
        if (other) diagnostics.push(sharedAddress(o, pod, other.pod, ip.text, other.o));
        else owners.set(ip.text, { pod, o });
      }
    } else if (o.kind === "NetworkPolicy") policies.push(model as NetworkPolicy);
    else if (o.kind === "Node") nodes.push(model as Node);
    else adminPolicies.push(model as AdminPolicy);
  }
  for (const o of objects) {
    const ns = o.object.metadata.namespace;
    if (CLUSTER_SCOPED.has(o.kind) || ns === undefined || namespaces.has(ns)) continue;
    namespaces.set(ns, implicitNamespace(ns));
    diagnostics.push({
      severity: "warning", file: o.document.file, object: describeObject(o.kind, o.object, o.document, o.at),
      path: "metadata.namespace",
      message: `Namespace "${ns}" is not in the input: assumed to exist with only the label kubernetes.io/metadata.name=${ns}`,
    });
  }
  const sorted = [...namespaces.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const at = new Map(
    objects.filter((o) => o.kind === "AdminNetworkPolicy" || o.kind === "BaselineAdminNetworkPolicy" || o.kind === "ClusterNetworkPolicy").map((o) => [o.object.metadata.name!, o]),
  );
  diagnostics.push(...samePriority(adminPolicies, at));
  return { namespaces: sorted, pods, policies, ...(adminPolicies.length > 0 ? { adminPolicies } : {}), ...(nodes.length > 0 ? { nodes } : {}) };
}

/**
 * ANP.md §3: which of two AdminNetworkPolicies of one priority applies is up to the
 * implementation. netpol-wasm takes them by name, and says so, naming both.
 */
function samePriority(policies: readonly AdminPolicy[], at: ReadonlyMap<string, LoadedObject>): Diagnostic[] {
  const byPriority = new Map<string, AdminPolicy[]>();
  for (const p of policies) {
    const key = `${p.tier}:${p.priority}`;
    byPriority.set(key, [...(byPriority.get(key) ?? []), p]);
  }
  const label = (name: string) => `${at.get(name)?.kind ?? "AdminNetworkPolicy"} ${name}`;
  const out: Diagnostic[] = [];
  for (const group of byPriority.values()) {
    if (group.length < 2) continue;
    const sorted = group.map((p) => p.name).sort();
    const first = at.get(sorted[0]!);
    const pos = first?.document.locate([...first.at, "spec", "priority"]);
    out.push({
      severity: "warning",
      file: first?.document.file,
      line: pos?.line,
      column: pos?.column,
      object: label(sorted[0]!),
      path: "spec.priority",
      message: `priority ${group[0]!.priority} (${group[0]!.tier} tier) is shared with ${sorted.slice(1).map((n) => `${label(n)}${at.get(n) ? ` (${place(at.get(n)!)})` : ""}`).join(", ")}: which applies first is implementation-defined; netpol-wasm evaluates them in name order (${sorted.join(", ")})`,
    });
  }
  return out;
}

function sharedAddress(o: LoadedObject, pod: Pod, owner: Pod, ip: string, ownerObject: LoadedObject): Diagnostic {
  const pos = o.document.locate([...o.at, "status"]);
  return {
    severity: "error", file: o.document.file, line: pos?.line, column: pos?.column,
    object: `Pod ${pod.namespace}/${pod.name}`, path: "status.podIPs",
    message: `Duplicate value: "${ip}": address already owned by running Pod ${owner.namespace}/${owner.name} at ${place(ownerObject)}`,
  };
}
