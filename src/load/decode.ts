/**
 * Go-style strict decoding (VALIDATION.md D8/D9): wrong JSON types are errors, `null` is
 * "absent", unknown and (earlier, in the parser) duplicate fields are errors naming the path.
 * The result has the shape of the types in api.ts.
 */
import { type FieldIssue, fieldError } from "./diagnostics.js";
import type { FieldPath } from "./path.js";
import { renderPath } from "./path.js";
import type { Schema } from "./schema.js";

export function decode(value: unknown, schema: Schema, path: FieldPath, issues: FieldIssue[]): unknown {
  if (value === null || value === undefined) return undefined;
  switch (schema.t) {
    case "any":
      return value;
    case "string":
      return typeof value === "string" ? value : mismatch(value, "string", path, issues);
    case "bool":
      return typeof value === "boolean" ? value : mismatch(value, "bool", path, issues);
    case "int32":
      return isInt32(value) ? value : mismatch(value, "int32", path, issues);
    case "intOrString":
      if (typeof value === "string" || isInt32(value)) return value;
      return mismatch(value, "IntOrString", path, issues);
    case "stringMap":
      return decodeStringMap(value, path, issues);
    case "list":
      if (!Array.isArray(value)) return mismatch(value, "[]" + goName(schema.of), path, issues);
      return value.map((item, i) => decode(item, schema.of, [...path, i], issues));
    case "object":
      return decodeObject(value, schema, path, issues);
  }
}

function decodeObject(value: unknown, schema: Extract<Schema, { t: "object" }>, path: FieldPath, issues: FieldIssue[]): unknown {
  if (!isPlainObject(value)) return mismatch(value, schema.go, path, issues);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = schema.fields[key];
    if (field === undefined) {
      if (!schema.open) issues.push(fieldError([...path, key], `strict decoding error: unknown field "${renderPath([...path, key])}"`));
      continue;
    }
    const decoded = decode(v, field, [...path, key], issues);
    if (decoded !== undefined) out[key] = decoded;
  }
  return out;
}

function decodeStringMap(value: unknown, path: FieldPath, issues: FieldIssue[]): unknown {
  if (!isPlainObject(value)) return mismatch(value, "map[string]string", path, issues);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    // A null map value decodes to "" in Go; any other non-string is a type error.
    if (v === null) out[key] = "";
    else if (typeof v === "string") out[key] = v;
    else mismatch(v, "string", path, issues);
  }
  return out;
}

function isInt32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "number" : `number ${v}`;
  if (typeof v === "object") return "object";
  return typeof v; // string, boolean
}

function goName(s: Schema): string {
  switch (s.t) {
    case "object": return s.go;
    case "list": return "[]" + goName(s.of);
    case "stringMap": return "map[string]string";
    case "intOrString": return "IntOrString";
    case "any": return "interface {}";
    default: return s.t;
  }
}

function mismatch(value: unknown, goType: string, path: FieldPath, issues: FieldIssue[]): undefined {
  issues.push(fieldError(path, `cannot unmarshal ${jsonType(value)} into Go value of type ${goType}`));
  return undefined;
}
