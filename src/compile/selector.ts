/**
 * Label selectors compiled to predicates. Written apart from the reference evaluator's
 * matcher on purpose (DESIGN.md: the two never share semantic code, so a bug in one is
 * caught by the differential tests instead of being copied into both).
 */
import type { Labels, Selector } from "../model/types.js";

export type LabelPredicate = (labels: Labels) => boolean;

export function compileSelector(selector: Selector): LabelPredicate {
  const tests: LabelPredicate[] = Object.entries(selector.matchLabels).map(
    ([k, v]) => (l) => Object.prototype.hasOwnProperty.call(l, k) && l[k] === v,
  );
  for (const { key, operator, values } of selector.matchExpressions) {
    const set = new Set(values);
    const has = (l: Labels) => Object.prototype.hasOwnProperty.call(l, key);
    if (operator === "In") tests.push((l) => has(l) && set.has(l[key]!));
    else if (operator === "NotIn") tests.push((l) => !has(l) || !set.has(l[key]!));
    else if (operator === "Exists") tests.push(has);
    else tests.push((l) => !has(l));
  }
  return (labels) => tests.every((t) => t(labels));
}
