/**
 * Text → documents. kubectl's rules (VALIDATION.md D1–D3, D7): a stream whose first non-space
 * byte is `{` or `[` is JSON (several concatenated values allowed), anything else is a stream
 * of YAML 1.1 documents. Every document keeps its syntax tree so later stages can point at
 * the line and column of a field. The YAML library stays behind this module.
 */
import { type Document, LineCounter, type Node, type YAMLError, isMap, isNode, isScalar, isSeq } from "yaml";
import { MAX_DEPTH, MAX_SCALAR_LENGTH, type Refusal, composeDocuments } from "./compose.js";
import type { Diagnostic } from "./diagnostics.js";
import { type FieldPath, renderPath } from "./path.js";

/** One input text: a file's contents, standard input, or a string given to the library. */
export interface Source {
  readonly file: string;
  readonly text: string;
}

export interface ParsedDocument {
  readonly file: string;
  /** 1-based position of the document in its file. */
  readonly index: number;
  readonly value: unknown;
  /** Line and column of the node at a path inside this document, when it exists. */
  locate(path: FieldPath): { line: number; column: number } | undefined;
}

export interface ParseResult {
  readonly documents: ParsedDocument[];
  readonly diagnostics: Diagnostic[];
}

/** The yaml library's own alias limit guards against "billion laughs". */
const MAX_ALIAS_COUNT = 1000;

export function parseText(file: string, text: string): ParseResult {
  const binary = binaryProblem(text);
  if (binary) return { documents: [], diagnostics: [{ severity: "error", file, message: binary }] };
  const first = text.match(/\S/)?.[0];
  return first === "{" || first === "[" ? parseJsonStream(file, text) : parseYamlStream(file, text);
}

function binaryProblem(text: string): string | undefined {
  const nul = text.indexOf("\0");
  if (nul >= 0) return `not a text file: NUL byte at offset ${nul}`;
  return undefined;
}

function parseYamlStream(file: string, text: string): ParseResult {
  const lines = new LineCounter();
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  let docs: Document.Parsed[];
  try {
    const composed = composeDocuments(text, "1.1", lines.addNewLine);
    docs = composed.docs;
    for (const r of composed.refused) diagnostics.push(refusal(file, lines, 0, r));
  } catch (e) {
    return { documents, diagnostics: [{ severity: "error", file, message: `YAML could not be parsed: ${(e as Error).message}` }] };
  }
  docs.forEach((doc, i) => {
    const index = i + 1;
    for (const err of doc.errors) diagnostics.push(syntaxError(file, doc, err, lines, 0));
    if (doc.errors.length > 0) return;
    for (const w of doc.warnings) {
      const pos = lines.linePos(w.pos[0]);
      diagnostics.push({ severity: "warning", file, line: pos.line, column: pos.col, message: firstLine(w.message) });
    }
    const value = toValue(doc, file, index, lines, diagnostics);
    if (value === undefined) return;
    documents.push(makeDocument(file, index, value, () => doc, lines, 0));
  });
  return { documents, diagnostics };
}

function toValue(doc: Document, file: string, index: number, lines: LineCounter, out: Diagnostic[]): unknown {
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return value === null ? undefined : value; // D2: empty documents are skipped
  } catch (e) {
    const pos = doc.contents && isNode(doc.contents) && doc.contents.range ? lines.linePos(doc.contents.range[0]) : undefined;
    const msg = e instanceof RangeError ? "document is nested too deeply" : (e as Error).message;
    const detail = /excessive alias/i.test(msg) ? "yaml: document contains excessive aliasing" : msg;
    out.push({ severity: "error", file, line: pos?.line, column: pos?.col, message: `document ${index}: ${detail}` });
    return undefined;
  }
}

function refusal(file: string, lines: LineCounter, offset: number, r: Refusal): Diagnostic {
  const pos = lines.linePos(offset + r.offset);
  return { severity: "error", file, line: pos.line, column: pos.col, message: r.message };
}

/** A parse error at its line:column; a duplicate key also names its field path (D9). */
function syntaxError(file: string, doc: Document, err: YAMLError, lines: LineCounter, offset: number): Diagnostic {
  const pos = lines.linePos(offset + err.pos[0]);
  const at = { severity: "error" as const, file, line: pos.line, column: pos.col };
  const first = firstLine(err.message).replace(/ at line \d+, column \d+:?$/, "");
  if (err.code !== "DUPLICATE_KEY") return { ...at, message: `YAML syntax error: ${first}` };
  const path = keyPath(doc.contents, err.pos[0]);
  return path ? { ...at, path: renderPath(path), message: `duplicate field "${renderPath(path)}"` } : { ...at, message: `duplicate field: ${first}` };
}

/** The path of the mapping key that starts at `offset`, descending only into nodes that contain it. */
function keyPath(root: unknown, offset: number): FieldPath | undefined {
  const contains = (n: unknown) => isNode(n) && !!n.range && n.range[0] <= offset && offset < n.range[2];
  const path: (string | number)[] = [];
  let node = root;
  while (isMap(node) || isSeq(node)) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (isNode(pair.key) && pair.key.range?.[0] === offset) return [...path, name];
        if (contains(pair.value)) {
          path.push(name);
          next = pair.value;
          break;
        }
      }
    } else {
      const i = node.items.findIndex(contains);
      if (i >= 0) {
        path.push(i);
        next = node.items[i];
      }
    }
    if (next === undefined) return undefined;
    node = next;
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

function makeDocument(file: string, index: number, value: unknown, tree: () => Document | undefined, lines: LineCounter, offset: number): ParsedDocument {
  return {
    file,
    index,
    value,
    locate(path) {
      const doc = tree();
      if (!doc) return undefined;
      for (let n = path.length; n >= 0; n--) {
        const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
        if (isNode(node) && node.range) {
          const pos = lines.linePos(offset + (node as Node).range![0]);
          return { line: pos.line, column: pos.col };
        }
      }
      return undefined;
    },
  };
}

/** The YAML tree of a JSON chunk, built on first use (positions are needed only for diagnostics). */
function lazyTree(chunk: string): () => Document | undefined {
  let doc: Document | undefined;
  let built = false;
  return () => {
    if (!built) {
      built = true;
      const composed = composeDocuments(chunk, "1.2");
      doc = composed.refused.length === 0 ? composed.docs[0] : undefined;
    }
    return doc;
  };
}

/**
 * Does valid JSON repeat a key inside one object (keys compared decoded: `"\u0061"` is `"a"`),
 * nest deeper than MAX_DEPTH, or hold a string longer than MAX_SCALAR_LENGTH? A linear scan:
 * strings are skipped whole, so brackets inside them do not count.
 */
export function needsTree(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      while (j < text.length && text.charCodeAt(j) !== 0x22) {
        if (text.charCodeAt(j) === 0x5c) {
          escaped = true;
          j++;
        }
        j++;
      }
      if (j - i > MAX_SCALAR_LENGTH) return true;
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      if (stack.push(new Set()) > MAX_DEPTH) return true;
      expectKey = true;
    } else if (c === 0x5b) {
      if (stack.push(null) > MAX_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return false;
}

/** Splits concatenated JSON values at depth 0; strings may contain any bracket. */
function splitJson(text: string): { start: number; end: number }[] {
  const chunks: { start: number; end: number }[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) chunks.push({ start, end: i + 1 });
      if (depth < 0) break;
    } else if (depth === 0 && !/\s/.test(c!)) {
      chunks.push({ start: i, end: text.length });
      return chunks;
    }
  }
  if (depth !== 0 && start >= 0) chunks.push({ start, end: text.length });
  return chunks;
}

function parseJsonStream(file: string, text: string): ParseResult {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  splitJson(text).forEach(({ start, end }, i) => {
    const chunk = text.slice(start, end);
    let value: unknown;
    try {
      value = JSON.parse(chunk);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      const pos = lines.linePos(start + (at ? Number(at[1]) : 0));
      diagnostics.push({ severity: "error", file, line: pos.line, column: pos.col, message: `JSON syntax error: ${jsonMessage(e as Error)}` });
      return;
    }
    // JSON.parse keeps the last of duplicate keys silently and has no nesting or string limits: a
    // quick scan looks for those, and only a chunk that has one (or a lookup of a position) pays
    // for the YAML tree, which reports them the way it does for YAML.
    if (!needsTree(chunk)) {
      if (value !== null) documents.push(makeDocument(file, i + 1, value, lazyTree(chunk), lines, start));
      return;
    }
    const { docs, refused } = composeDocuments(chunk, "1.2");
    const doc = docs[0]!;
    for (const r of refused) diagnostics.push(refusal(file, lines, start, r));
    for (const err of doc.errors) diagnostics.push(syntaxError(file, doc, err, lines, start));
    if (refused.length === 0 && doc.errors.length === 0 && value !== null) documents.push(makeDocument(file, i + 1, value, () => doc, lines, start));
  });
  return { documents, diagnostics };
}

function jsonMessage(e: Error): string {
  return e.message.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "");
}
