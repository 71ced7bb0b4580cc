import { type FieldPath, renderPath } from "./path.js";

export type Severity = "error" | "warning" | "notice";

/**
 * One problem found in the input, located the way a person looks for it: the file (and
 * line:column when the parser knows it), the object (`NetworkPolicy prod/db-allow`, or
 * `document 3` when the object has no usable identity) and the API field path.
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly object?: string;
  readonly path?: string;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const parts: string[] = [];
  if (d.file !== undefined) {
    let where = d.file;
    if (d.line !== undefined) where += `:${d.line}` + (d.column !== undefined ? `:${d.column}` : "");
    parts.push(where);
  }
  if (d.object !== undefined) parts.push(d.object);
  if (d.path !== undefined && d.path !== "") parts.push(d.path);
  parts.push(d.message);
  return parts.join(": ");
}

/** The one error class of the library: every failure carries all the diagnostics found. */
export class PolicyError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const shown = errors.length > 0 ? errors : diagnostics;
    super(shown.map(formatDiagnostic).join("\n"));
    this.name = "PolicyError";
    this.diagnostics = diagnostics;
  }
}

/** A problem at a field path of one object, before the object's location is attached. */
export interface FieldIssue {
  readonly severity: Severity;
  readonly path: FieldPath;
  readonly message: string;
}

export function fieldError(path: FieldPath, message: string): FieldIssue {
  return { severity: "error", path, message };
}

export function fieldWarning(path: FieldPath, message: string): FieldIssue {
  return { severity: "warning", path, message };
}

/** Renders a field issue the API server's way: `<TypeString>[: <value>][: <detail>]`. */
export const issue = {
  required: (path: FieldPath, detail?: string) =>
    fieldError(path, detail ? `Required value: ${detail}` : "Required value"),
  forbidden: (path: FieldPath, detail: string) => fieldError(path, `Forbidden: ${detail}`),
  invalid: (path: FieldPath, value: unknown, detail: string) =>
    fieldError(path, `Invalid value: ${showValue(value)}: ${detail}`),
  notSupported: (path: FieldPath, value: unknown, supported: readonly string[]) =>
    fieldError(
      path,
      `Unsupported value: ${showValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
    ),
  duplicate: (path: FieldPath, value: unknown) => fieldError(path, `Duplicate value: ${showValue(value)}`),
  tooLong: (path: FieldPath, max: number) => fieldError(path, `Too long: must have at most ${max} bytes`),
  /** field.TooMany, which maxItems and maxProperties become (Go says "item" for a maximum of 1). */
  tooMany: (path: FieldPath, actual: number, max: number) =>
    fieldError(path, `Too many: ${actual}: must have at most ${max} ${max === 1 ? "item" : "items"}`),
};

export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

export { renderPath };
