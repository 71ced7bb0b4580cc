/**
 * metav1.LabelSelector as ValidateLabelSelector checks it on create. The update-only
 * relaxation AllowInvalidLabelValueInSelector is deliberately absent: a loader always creates.
 */

import type { LabelSelector, LabelSelectorRequirement } from "../load/api.js";
import { type FieldIssue, issue } from "../load/diagnostics.js";
import type { FieldPath } from "../load/path.js";
import { isLabelValue, validateLabelKey, validateLabels } from "./labels.js";

function validateOperator(req: LabelSelectorRequirement, path: FieldPath): FieldIssue[] {
  const operator = req.operator ?? "";
  const count = req.values?.length ?? 0;
  switch (operator) {
    case "In":
    case "NotIn":
      return count === 0
        ? [issue.required([...path, "values"], "must be specified when `operator` is 'In' or 'NotIn'")]
        : [];
    case "Exists":
    case "DoesNotExist":
      return count > 0
        ? [issue.forbidden([...path, "values"], "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")]
        : [];
    default:
      return [issue.invalid([...path, "operator"], operator, "not a valid selector operator")];
  }
}

export function validateRequirement(req: LabelSelectorRequirement, path: FieldPath): FieldIssue[] {
  const out = validateOperator(req, path);
  out.push(...validateLabelKey(req.key ?? "", [...path, "key"]));
  (req.values ?? []).forEach((value, i) => {
    for (const msg of isLabelValue(value)) out.push(issue.invalid([...path, "values", i], value, msg));
  });
  return out;
}

/** An absent selector is valid here; what it means (everything) is the model's business. */
export function validateLabelSelector(selector: LabelSelector | undefined, path: FieldPath): FieldIssue[] {
  if (selector === undefined) return [];
  const out = validateLabels(selector.matchLabels, [...path, "matchLabels"]);
  (selector.matchExpressions ?? []).forEach((req, i) => {
    out.push(...validateRequirement(req, [...path, "matchExpressions", i]));
  });
  return out;
}
