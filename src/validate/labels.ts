/**
 * Label keys (qualified names), label values, label maps and annotations, as
 * k8s.io/apimachinery validates them. Map-valued fields are reported at the map's own path,
 * never with the key appended, because that is where the API server reports them.
 */

import { type FieldIssue, issue } from "../load/diagnostics.js";
import type { FieldPath } from "../load/path.js";
import { EMPTY_ERROR, anchored, byteLength, isDNS1123Subdomain, maxLenError, regexError } from "./names.js";

export const LABEL_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
export const LABEL_VALUE_FMT = `(${LABEL_NAME_FMT})?`;
export const LABEL_NAME_MAX = 63;
export const LABEL_VALUE_MAX = 63;
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const labelName = anchored(LABEL_NAME_FMT);
const labelValue = anchored(LABEL_VALUE_FMT);

const LABEL_KEY_CHARS =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
  "and must start and end with an alphanumeric character";

function nameRegexError(): string {
  return regexError(LABEL_KEY_CHARS, LABEL_NAME_FMT, "MyName", "my.name", "123-abc");
}

function prefixErrors(prefix: string): string[] {
  if (prefix === "") return [`prefix part ${EMPTY_ERROR}`];
  return isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`);
}

/** IsLabelKey / IsQualifiedName: `[prefix/]name`, the prefix a lowercase DNS subdomain. */
export function isLabelKey(key: string): string[] {
  const parts = key.split("/");
  if (parts.length > 2) {
    return [
      `a valid label key ${nameRegexError()} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const name = parts[parts.length - 1]!;
  const errs = parts.length === 2 ? prefixErrors(parts[0]!) : [];
  if (name === "") errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLength(name) > LABEL_NAME_MAX) errs.push(`name part ${maxLenError(LABEL_NAME_MAX)}`);
  if (!labelName.test(name)) errs.push(`name part ${nameRegexError()}`);
  return errs;
}

export function isLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) errs.push(maxLenError(LABEL_VALUE_MAX));
  if (!labelValue.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

/** A label key at a single-valued field path (selector requirement keys). */
export function validateLabelKey(key: string, path: FieldPath): FieldIssue[] {
  return isLabelKey(key).map((msg) => issue.invalid(path, key, msg));
}

/** metadata.labels and matchLabels: every key and value, all reported at the map path. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    out.push(...validateLabelKey(k, path));
    for (const msg of isLabelValue(v)) out.push(issue.invalid(path, v, msg));
  }
  return out;
}

/**
 * Go's strings.ToLower uses simple case mapping, so U+0130 (İ) becomes a plain `i`, where
 * JavaScript's full mapping yields `i` plus a combining dot; every other code point that
 * lowercases into ASCII (only U+212A, the Kelvin sign) maps alike in both.
 */
function goToLower(s: string): string {
  return s.replace(/\u0130/g, "i").toLowerCase();
}

/** Annotation keys are label keys with case ignored; values are free text, bounded in total. */
export function validateAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  path: FieldPath,
): FieldIssue[] {
  const out: FieldIssue[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isLabelKey(goToLower(k))) out.push(issue.invalid(path, k, msg));
    total += byteLength(k) + byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) out.push(issue.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return out;
}
