/**
 * Documents → typed objects: Lists expanded (D6), apiVersion/kind checked (D4, D5, D11),
 * fields decoded strictly (D8, D9). Every problem is a diagnostic naming file, object and path.
 */
import type { ApiObject } from "./api.js";
import { decode } from "./decode.js";
import { type Diagnostic, type FieldIssue, fieldError } from "./diagnostics.js";
import { classifyKind, type Modelled } from "./kinds.js";
import type { ParsedDocument } from "./parse.js";
import { type FieldPath, renderPath } from "./path.js";
import {
  adminNetworkPolicySchema, baselineAdminNetworkPolicySchema, clusterNetworkPolicySchema, namespaceSchema, networkPolicySchema, nodeSchema, podSchema, type Schema,
} from "./schema.js";

export interface LoadedObject {
  readonly kind: Modelled;
  readonly object: ApiObject;
  readonly document: ParsedDocument;
  /** Where the object sits inside its document: `[]`, or `["items", 3]` inside a List. */
  readonly at: FieldPath;
}

export interface Skipped {
  readonly message: string;
  readonly warn: boolean;
  count: number;
  readonly file: string;
}

export interface ObjectsResult {
  readonly objects: LoadedObject[];
  readonly diagnostics: Diagnostic[];
  /** Kinds not modelled, one entry per kind and apiVersion, with how many were skipped. */
  readonly skipped: Map<string, Skipped>;
}

const SCHEMAS: Readonly<Record<Modelled, Schema>> = {
  Namespace: namespaceSchema,
  Pod: podSchema,
  NetworkPolicy: networkPolicySchema,
  AdminNetworkPolicy: adminNetworkPolicySchema,
  BaselineAdminNetworkPolicy: baselineAdminNetworkPolicySchema,
  ClusterNetworkPolicy: clusterNetworkPolicySchema,
  Node: nodeSchema,
};

const NAMESPACED: ReadonlySet<Modelled> = new Set(["Pod", "NetworkPolicy"]);
/** Kinds without a namespace: a metadata.namespace on them is ignored (with a warning from validation). */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set(["Namespace", "Node", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"]);

/** `NetworkPolicy prod/db-allow`, or the document number when the object has no usable name. */
export function describeObject(kind: string, object: unknown, document: ParsedDocument, at: FieldPath): string {
  const meta = (object as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata;
  const clusterScoped = CLUSTER_SCOPED.has(kind);
  const name = typeof meta?.name === "string" && meta.name !== "" ? meta.name : undefined;
  const ns = !clusterScoped && typeof meta?.namespace === "string" && meta.namespace !== "" ? meta.namespace : undefined;
  if (name !== undefined) return `${kind} ${ns !== undefined ? `${ns}/` : ""}${name}`;
  const item = at.length > 0 ? `, ${renderPath(at)}` : "";
  return `${kind} (document ${document.index}${item})`;
}

export function locatedIssue(issue: FieldIssue, document: ParsedDocument, at: FieldPath, object: string): Diagnostic {
  const pos = document.locate([...at, ...issue.path]);
  return {
    severity: issue.severity,
    file: document.file,
    line: pos?.line,
    column: pos?.column,
    object,
    path: renderPath(issue.path),
    message: issue.message,
  };
}

export function readObjects(documents: readonly ParsedDocument[]): ObjectsResult {
  const result: ObjectsResult = { objects: [], diagnostics: [], skipped: new Map() };
  for (const document of documents) readEntry(document.value, document, [], undefined, result);
  return result;
}

interface ListDefaults {
  readonly apiVersion: string;
  readonly kind: string | undefined;
}

function readEntry(value: unknown, document: ParsedDocument, at: FieldPath, list: ListDefaults | undefined, out: ObjectsResult): void {
  // Name the kind when the document gives one, even an unservable one: `NetworkPolicy prod/a`.
  const named = (value as { kind?: unknown } | null)?.kind ?? list?.kind;
  const fail = (message: string, path: FieldPath = []) => {
    const label = describeObject(typeof named === "string" && named !== "" ? named : "object", value, document, at);
    out.diagnostics.push(locatedIssue(fieldError(path, message), document, at, label));
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const type = Array.isArray(value) ? "array" : typeof value;
    return void fail(`cannot unmarshal ${type} into Go value of type map[string]interface {}`);
  }
  const raw = value as Record<string, unknown>;
  const apiVersion = raw.apiVersion ?? list?.apiVersion;
  const kind = raw.kind ?? list?.kind;
  if (typeof kind !== "string" || kind === "") return void fail(`Object 'Kind' is missing`, ["kind"]);
  if (typeof apiVersion !== "string" || apiVersion === "") return void fail("apiVersion not set", ["apiVersion"]);
  if (kind === "List" || (kind.endsWith("List") && Array.isArray(raw.items))) {
    return readList(raw, apiVersion, kind, document, at, out);
  }
  const verdict = classifyKind(apiVersion, kind);
  if (verdict.action === "reject") return void fail(verdict.message, ["kind"]);
  if (verdict.action === "skip") {
    const key = `${kind} (${apiVersion})`;
    const seen = out.skipped.get(key);
    if (seen) seen.count++;
    else out.skipped.set(key, { message: verdict.message, warn: verdict.warn, count: 1, file: document.file });
    return;
  }
  readModelled(verdict.kind, { ...raw, apiVersion, kind }, document, at, out);
}

function readList(raw: Record<string, unknown>, apiVersion: string, kind: string, document: ParsedDocument, at: FieldPath, out: ObjectsResult): void {
  const items = raw.items ?? [];
  if (!Array.isArray(items)) {
    const object = describeObject(kind, raw, document, at);
    out.diagnostics.push(locatedIssue(fieldError(["items"], "cannot unmarshal into Go value of type []runtime.RawExtension"), document, at, object));
    return;
  }
  // A typed list (PodList) served by the API omits apiVersion/kind on its items.
  const defaults = kind === "List" ? undefined : { apiVersion, kind: kind.slice(0, -"List".length) };
  items.forEach((item, i) => readEntry(item, document, [...at, "items", i], defaults, out));
}

function readModelled(kind: Modelled, raw: Record<string, unknown>, document: ParsedDocument, at: FieldPath, out: ObjectsResult): void {
  const issues: FieldIssue[] = [];
  const object = decode(raw, SCHEMAS[kind], [], issues) as ApiObject | undefined;
  const label = describeObject(kind, raw, document, at);
  for (const issue of issues) out.diagnostics.push(locatedIssue(issue, document, at, label));
  if (!object || issues.some((i) => i.severity === "error")) return;
  object.metadata ??= {};
  // kubectl fills in the context namespace (normally "default") for namespaced kinds.
  if (NAMESPACED.has(kind) && !object.metadata.namespace) object.metadata.namespace = "default";
  out.objects.push({ kind, object, document, at });
}
