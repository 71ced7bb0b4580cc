/**
 * Kubernetes objects as YAML documents that kubectl (go-yaml, YAML 1.1) and our loader read
 * back unchanged, laid out as `kubectl get -o yaml` lays them out (sequences at their key's
 * indentation). A string is written plain only when no YAML 1.1 or 1.2 reader can take it for
 * anything but that string (a name, a label, an IPv4 address or CIDR); every other string is
 * double-quoted, with JSON's escapes, which YAML's double-quoted style shares. The yaml
 * library's own `stringify` does the same at a tenth of the speed (5 s for the XL preset's
 * 55,000 objects), hence this small writer for the JSON-shaped data API objects are.
 */

/** Letters first: no number, date or sexagesimal of either YAML version begins with one. */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
/**
 * YAML 1.1's booleans and null (`y`, `on`, …) in any case, quoted even where 1.2 would not need
 * it; and `e5` or `e-5`, floats with no digits before the exponent to the yaml library's 1.1 schema.
 */
const RESERVED = /^(?:y|yes|n|no|true|false|on|off|null|e-?\d+)$/i;
/** Several dots: neither version reads a float here (go-yaml parses floats with strconv). */
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?$/;

type Scalar = string | number | boolean | null;

function scalar(v: Scalar, path: string): string {
  if (typeof v === "string") return (PLAIN.test(v) && !RESERVED.test(v)) || IPV4.test(v) ? v : JSON.stringify(v);
  if (typeof v === "number" && !Number.isSafeInteger(v)) throw new RangeError(`manifestYAML: ${path}: ${v} is not a whole number`);
  return String(v);
}

function isMapping(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : isMapping(v) && Object.values(v).every((x) => x === undefined);
}

function isScalar(v: unknown, path: string): v is Scalar {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return true;
  if (Array.isArray(v) || isMapping(v)) return false;
  throw new TypeError(`manifestYAML: ${path}: cannot write a ${typeof v}`);
}

/** What follows `key:` or `-`: a scalar or an empty collection on the same line, else a block below. */
function after(v: unknown, indent: string, path: string): string {
  if (isScalar(v, path)) return ` ${scalar(v, path)}\n`;
  if (isEmpty(v)) return Array.isArray(v) ? " []\n" : " {}\n";
  return Array.isArray(v) ? `\n${sequence(v, indent, path)}` : `\n${mapping(v as Record<string, unknown>, `${indent}  `, path)}`;
}

function mapping(m: Readonly<Record<string, unknown>>, indent: string, path: string): string {
  let out = "";
  for (const key of Object.keys(m)) {
    const v = m[key];
    if (v !== undefined) out += `${indent}${scalar(key, path)}:${after(v, indent, `${path}.${key}`)}`;
  }
  return out;
}

function sequence(items: readonly unknown[], indent: string, path: string): string {
  let out = "";
  items.forEach((item = null, i) => {
    const at = `${path}[${i}]`;
    if (isScalar(item, at) || isEmpty(item)) out += `${indent}-${after(item, indent, at)}`;
    else {
      // The block one level in, its first line moved up beside the dash.
      const block = Array.isArray(item) ? sequence(item, `${indent}  `, at) : mapping(item as Record<string, unknown>, `${indent}  `, at);
      out += `${indent}- ${block.slice(indent.length + 2)}`;
    }
  });
  return out;
}

/** One object as a YAML document (no `---`), ending in a newline. */
export function manifestYAML(object: Readonly<Record<string, unknown>>): string {
  if (!isMapping(object)) throw new TypeError("manifestYAML: an object is a mapping");
  return mapping(object, "", "");
}
