/**
 * D1–D3: how a file becomes documents. YAML streams with empty and comment-only documents,
 * JSON (one object or several concatenated), JSON syntax errors with line:column, and
 * documents that are not mappings.
 */
import { describe, expect, it } from "vitest";
import { errors, load } from "./helpers.js";


const namespace = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const nsJson = (name: string) => JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

describe("YAML streams (D1, D2)", () => {
  it("reads every document of a multi-document stream", () => {
    const text = `${namespace("prod")}---\n${namespace("dev")}---\napiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: prod}
`;
    const { cluster, warnings } = load(text);
    expect(cluster.namespaces.map((n) => n.name)).toEqual(["dev", "prod"]);
    expect(cluster.policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(["prod/deny"]);
    expect(warnings).toEqual([]);
  });

  it("skips empty and comment-only documents, leading and trailing separators and `...`", () => {
    const text = `# a file that starts with a comment
---
---
# a document with only a comment
---
${namespace("prod")}...
---

---
# trailing comment
---
`;
    const { cluster, warnings } = load(text);
    expect(cluster.namespaces.map((n) => n.name)).toEqual(["prod"]);
    expect(warnings).toEqual([]);
  });

  it("a file with no documents at all is an empty cluster", () => {
    for (const text of ["", "\n\n", "# nothing here\n", "---\n---\n"]) {
      expect(load(text).cluster).toEqual({ namespaces: [], pods: [], policies: [] });
    }
  });

  it("documents are numbered by their position in the file, empty ones included", () => {
    const text = `---\n# empty\n---\n${namespace("prod")}---\napiVersion: v1\nkind: Pod\nmetadata: {namespace: prod}\n`;
    expect(errors(text)).toEqual([
      expect.objectContaining({ file: "in.yaml", object: "Pod (document 3)", path: "metadata.name", line: 11 }),
    ]);
  });

  it("tabs as indentation are a syntax error at their line", () => {
    const [e, ...rest] = errors("apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: prod\n");
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ file: "in.yaml", line: 4, column: 1 });
    expect(e!.message).toMatch(/tab/i);
  });

  it("a syntax error in one document does not hide errors in the others", () => {
    const text = `${namespace("prod")}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: dev\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x, bogus: 1}\n`;
    const found = errors(text);
    expect(found.some((d) => d.line !== undefined && d.line >= 8 && d.line <= 9 && /YAML syntax error/.test(d.message))).toBe(true);
    expect(found).toContainEqual(expect.objectContaining({ object: "Namespace x", path: "metadata.bogus", line: 12 }));
  });
});

describe("JSON (D1)", () => {
  it("a stream whose first non-space byte is `{` is one JSON object", () => {
    const { cluster } = load(`\n  ${nsJson("prod")}\n`, "ns.json");
    expect(cluster.namespaces.map((n) => n.name)).toEqual(["prod"]);
  });

  it("concatenated JSON objects are read one after the other, with or without whitespace between", () => {
    const { cluster } = load(`${nsJson("a")}\n${nsJson("b")}${nsJson("c")}\n\n  ${nsJson("d")}`);
    expect(cluster.namespaces.map((n) => n.name)).toEqual(["a", "b", "c", "d"]);
  });

  it("braces inside JSON strings do not split the stream", () => {
    const obj = { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod", annotations: { note: "} { ] [ \\\" }" } } };
    expect(load(JSON.stringify(obj)).cluster.namespaces.map((n) => n.name)).toEqual(["prod"]);
  });

  it("a trailing comma is rejected with the line and column of the offending token, though YAML would accept it", () => {
    const text = `{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n  "metadata": {"name": "prod"},\n}\n`;
    const found = errors(text, "ns.json");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: "ns.json", line: 5, column: 1 });
    expect(found[0]!.message).toContain("JSON");
  });

  it("a syntax error in the second of two concatenated objects points at its own line", () => {
    const text = `${nsJson("a")}\n{"apiVersion": "v1",\n "kind": "Namespace"\n "metadata": {"name": "b"}}\n`;
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: "in.yaml", line: 4, column: 2 });
    expect(found[0]!.message).toContain("JSON syntax error");
  });

  it("field errors inside JSON carry the right line", () => {
    const text = `${nsJson("a")}\n{\n "apiVersion": "v1",\n "kind": "Namespace",\n "metadata": {"name": "b", "bogus": 1}\n}\n`;
    expect(errors(text)).toEqual([
      expect.objectContaining({ file: "in.yaml", line: 5, object: "Namespace b", path: "metadata.bogus" }),
    ]);
  });

  it("a single-line JSON file reports line 1, not line 0", () => {
    const found = errors(`{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "bogus": 1}}`);
    expect(found).toEqual([expect.objectContaining({ line: 1, path: "metadata.bogus" })]);
  });

  it("an unterminated JSON object is rejected", () => {
    const found = errors(`{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: "in.yaml", line: 1 });
    expect(found[0]!.message).toContain("JSON");
  });
});

describe("documents must be mappings (D3)", () => {
  it.each([
    ["a scalar", "just a string\n", "string"],
    ["a number", "42\n", "number"],
    ["a block sequence", "- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n", "array"],
    ["a JSON array", `[${nsJson("a")}]`, "array"],
  ])("%s at top level is rejected", (_what, text, type) => {
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: "in.yaml", line: 1, object: "object (document 1)", path: "" });
    expect(found[0]!.message).toContain(`cannot unmarshal ${type} into Go value of type map[string]interface {}`);
  });

  it("a YAML flow sequence at top level is rejected (read as JSON, as it starts with `[`)", () => {
    const found = errors("[a, b]\n");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: "in.yaml", line: 1 });
  });

  it("names the document that is not a mapping", () => {
    const found = errors(`${namespace("prod")}---\n- a\n- b\n`);
    expect(found).toEqual([expect.objectContaining({ object: "object (document 2)", line: 6 })]);
  });
});
