import type { Labels, Requirement, Selector } from "../model/types.js";

/** SEMANTICS.md "Label selectors": matchLabels AND every requirement; `{}` matches everything. */
export function selectorMatches(selector: Selector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((r) => requirementMatches(r, labels));
}

function requirementMatches(r: Requirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case "In":
      return present && r.values.includes(labels[r.key]!);
    case "NotIn":
      return !present || !r.values.includes(labels[r.key]!);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
  }
}
