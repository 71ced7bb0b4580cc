/**
 * Text → documents. kubectl's rules (VALIDATION.md D1–D3, D7): a stream whose first non-space
 * byte is `{` or `[` is JSON (several concatenated values allowed), anything else is a stream
 * of YAML 1.1 documents. Every document keeps its syntax tree so later stages can point at
 * the line and column of a field. The YAML library stays behind this module.
 */
import { type Document, LineCounter, type Node, isNode, parseAllDocuments, parseDocument } from "yaml";
import type { Diagnostic } from "./diagnostics.js";
import type { FieldPath } from "./path.js";

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
    docs = parseAllDocuments(text, { version: "1.1", lineCounter: lines, prettyErrors: false });
  } catch (e) {
    return { documents, diagnostics: [{ severity: "error", file, message: `YAML could not be parsed: ${(e as Error).message}` }] };
  }
  if (!Array.isArray(docs)) docs = [];
  docs.forEach((doc, i) => {
    const index = i + 1;
    for (const err of doc.errors) {
      const pos = lines.linePos(err.pos[0]);
      diagnostics.push({ severity: "error", file, line: pos.line, column: pos.col, message: yamlMessage(err.code, err.message) });
    }
    if (doc.errors.length > 0) return;
    for (const w of doc.warnings) {
      const pos = lines.linePos(w.pos[0]);
      diagnostics.push({ severity: "warning", file, line: pos.line, column: pos.col, message: firstLine(w.message) });
    }
    const value = toValue(doc, file, index, lines, diagnostics);
    if (value === undefined) return;
    documents.push(makeDocument(file, index, value, doc, lines, 0));
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
    const detail = /alias/i.test(msg) ? "yaml: document contains excessive aliasing" : msg;
    out.push({ severity: "error", file, line: pos?.line, column: pos?.col, message: `document ${index}: ${detail}` });
    return undefined;
  }
}

function yamlMessage(code: string, message: string): string {
  const first = firstLine(message).replace(/ at line \d+, column \d+:?$/, "");
  if (code === "DUPLICATE_KEY") return `duplicate field: ${first}`;
  return `YAML syntax error: ${first}`;
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

function makeDocument(file: string, index: number, value: unknown, doc: Document, lines: LineCounter, offset: number): ParsedDocument {
  return {
    file,
    index,
    value,
    locate(path) {
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
    // JSON.parse keeps the last of duplicate keys silently; the YAML tree reports them and gives positions.
    const doc = parseDocument(chunk, { version: "1.2", prettyErrors: false });
    for (const err of doc.errors) {
      const pos = lines.linePos(start + err.pos[0]);
      diagnostics.push({ severity: "error", file, line: pos.line, column: pos.col, message: yamlMessage(err.code, err.message) });
    }
    if (doc.errors.length === 0 && value !== null) documents.push(makeDocument(file, i + 1, value, doc, lines, start));
  });
  return { documents, diagnostics };
}

function jsonMessage(e: Error): string {
  return e.message.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "");
}
