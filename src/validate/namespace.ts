/**
 * core/v1 Namespace: the name is a DNS-1123 label (ValidateNamespaceName), labels as
 * everywhere. A `metadata.namespace` on a Namespace is not an error: the server clears it
 * for cluster-scoped kinds before validating.
 */

import type { Namespace } from "../load/api.js";
import type { FieldIssue } from "../load/diagnostics.js";
import { validateObjectMeta } from "./meta.js";
import { nameIsDNSLabel } from "./names.js";

export function validateNamespace(ns: Namespace): FieldIssue[] {
  return validateObjectMeta(ns.metadata, { name: nameIsDNSLabel, namespaced: false });
}
