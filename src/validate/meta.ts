/**
 * ObjectMeta as ValidateObjectMetaAccessor checks it on create, for the fields a file loader
 * reads: name (or generateName), namespace, labels, annotations.
 */

import type { ObjectMeta } from "../load/api.js";
import { type FieldIssue, issue } from "../load/diagnostics.js";
import { validateAnnotations, validateLabels } from "./labels.js";
import { type NameValidator, isDNS1123Label } from "./names.js";

export interface MetaRules {
  /** The kind's name syntax (DNS-1123 subdomain for NetworkPolicy and Pod, label for Namespace). */
  readonly name: NameValidator;
  /** Namespaced kinds need metadata.namespace; cluster-scoped kinds have theirs cleared by the server. */
  readonly namespaced: boolean;
}

const PATH = ["metadata"] as const;
const GENERATE_NAME_UNRESOLVED = "name is required (generateName cannot be resolved from files)";

function validateName(meta: ObjectMeta, rules: MetaRules): FieldIssue[] {
  const out: FieldIssue[] = [];
  const generateName = meta.generateName ?? "";
  if (generateName !== "") {
    for (const msg of rules.name(generateName, true)) {
      out.push(issue.invalid([...PATH, "generateName"], generateName, msg));
    }
  }
  const name = meta.name ?? "";
  if (name === "") {
    // The server would generate a name; a file loader cannot, and kubectl apply refuses it too.
    const detail = generateName === "" ? "name or generateName is required" : GENERATE_NAME_UNRESOLVED;
    out.push(issue.required([...PATH, "name"], detail));
  } else {
    for (const msg of rules.name(name, false)) out.push(issue.invalid([...PATH, "name"], name, msg));
  }
  return out;
}

function validateNamespace(meta: ObjectMeta, rules: MetaRules): FieldIssue[] {
  if (!rules.namespaced) return [];
  const namespace = meta.namespace ?? "";
  if (namespace === "") return [issue.required([...PATH, "namespace"])];
  return isDNS1123Label(namespace).map((msg) => issue.invalid([...PATH, "namespace"], namespace, msg));
}

export function validateObjectMeta(meta: ObjectMeta, rules: MetaRules): FieldIssue[] {
  return [
    ...validateName(meta, rules),
    ...validateNamespace(meta, rules),
    ...validateLabels(meta.labels, [...PATH, "labels"]),
    ...validateAnnotations(meta.annotations, [...PATH, "annotations"]),
  ];
}
