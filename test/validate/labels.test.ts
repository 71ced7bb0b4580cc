import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { renderPath } from "../../src/load/path.js";
import type { FieldIssue } from "../../src/load/diagnostics.js";
import { isLabelKey, isLabelValue, validateAnnotations, validateLabels } from "../../src/validate/labels.js";

const show = (issues: FieldIssue[]) => issues.map((i) => `${renderPath(i.path)}: ${i.message}`);

const labelValue = fc
  .stringMatching(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/)
  .filter((s) => s.length <= 63);
const outsideChar = fc
  .string({ unit: "binary", minLength: 1, maxLength: 1 })
  .filter((c) => !/^[-A-Za-z0-9_.]$/.test(c));

describe("label values (K4)", () => {
  it.each(["", "a", "MyValue", "my_value", "12345", "a.b-c_d", "x".repeat(63)])("accept %j", (v) => {
    expect(isLabelValue(v)).toEqual([]);
  });

  it.each(["-a", "a-", "_a", "a_", ".a", "a.", "a b", "a/b", "a:b", "é", "prod\n", " a"])("reject %j", (v) => {
    expect(isLabelValue(v).join()).toContain("a valid label must be an empty string or consist of");
  });

  it("rejects 64 bytes", () => {
    expect(isLabelValue("x".repeat(64))).toEqual(["must be no more than 63 bytes"]);
  });

  it("property: every string matching the label-value regex within 63 bytes is accepted", () => {
    fc.assert(
      fc.property(labelValue, (v) => {
        expect(isLabelValue(v)).toEqual([]);
      }),
    );
  });

  it("property: a label value with any character outside [-A-Za-z0-9_.] is rejected", () => {
    fc.assert(
      fc.property(labelValue, outsideChar, labelValue, (a, c, b) => {
        expect(isLabelValue(a + c + b)).not.toEqual([]);
      }),
    );
  });
});

describe("label keys (K1-K3)", () => {
  it.each([
    "app",
    "App",
    "app.kubernetes.io/name",
    "app.kubernetes.io/Name",
    "kubernetes.io/metadata.name",
    "a_b.c-d",
    "x".repeat(63),
    `${"p".repeat(253)}/name`,
  ])("accept %j", (k) => {
    expect(isLabelKey(k)).toEqual([]);
  });

  it("K1: more than one slash", () => {
    const errs = isLabelKey("a/b/c");
    expect(errs).toHaveLength(1);
    expect(errs[0]).toContain("a valid label key must consist of");
    expect(errs[0]).toContain("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  });

  it("K2: empty name part", () => {
    expect(isLabelKey("")).toContain("name part must be non-empty");
    expect(isLabelKey("example.com/")).toContain("name part must be non-empty");
  });

  it("K2: name part too long", () => {
    expect(isLabelKey("x".repeat(64))).toEqual(["name part must be no more than 63 bytes"]);
  });

  it.each(["-app", "app-", "a b", "app:x", "ü"])("K2: bad name part %j", (k) => {
    expect(isLabelKey(k).join()).toContain("name part must consist of alphanumeric characters, '-', '_' or '.'");
  });

  it("K3: empty prefix", () => {
    expect(isLabelKey("/name")).toEqual(["prefix part must be non-empty"]);
  });

  it.each(["App.io/name", "a_b/name", "-a.io/name", "a..b/name"])("K3: bad prefix %j", (k) => {
    expect(isLabelKey(k).join()).toContain("prefix part a lowercase RFC 1123 subdomain must consist of");
  });

  it("K3: prefix longer than 253 bytes", () => {
    expect(isLabelKey(`${"p".repeat(254)}/name`)).toEqual(["prefix part must be no more than 253 bytes"]);
  });
});

describe("validateLabels (M4, S1)", () => {
  it("reports keys and values at the map path, not the key", () => {
    const out = show(validateLabels({ "bad key": "ok", good: "bad value" }, ["metadata", "labels"]));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^metadata\.labels: Invalid value: "bad key": name part must consist/);
    expect(out[1]).toMatch(/^metadata\.labels: Invalid value: "bad value": a valid label must be/);
  });

  it("accepts an empty value and an absent map", () => {
    expect(validateLabels({ app: "" }, ["metadata", "labels"])).toEqual([]);
    expect(validateLabels(undefined, ["metadata", "labels"])).toEqual([]);
  });
});

describe("validateAnnotations (M5)", () => {
  const path = ["metadata", "annotations"];

  it("lowercases keys first, so an uppercase prefix is fine", () => {
    expect(validateAnnotations({ "Example.com/Note": "free text: anything / goes\n" }, path)).toEqual([]);
  });

  it("lowercases U+0130 the way Go does (to a plain i)", () => {
    expect(validateAnnotations({ "\u0130tem": "x" }, path)).toEqual([]);
  });

  it("rejects bad keys at the map path, showing the original key", () => {
    const out = show(validateAnnotations({ "a/b/c": "x", "Bad Key": "y" }, path));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^metadata\.annotations: Invalid value: "a\/b\/c": a valid label key/);
    expect(out[1]).toMatch(/^metadata\.annotations: Invalid value: "Bad Key": name part/);
  });

  it("limits keys plus values to 262144 bytes in total", () => {
    const at = { k: "v".repeat(262143) };
    expect(validateAnnotations(at, path)).toEqual([]);
    const over = { k: "v".repeat(262143), l: "" };
    expect(show(validateAnnotations(over, path))).toEqual([
      "metadata.annotations: Too long: must have at most 262144 bytes",
    ]);
  });

  it("counts the limit in UTF-8 bytes", () => {
    expect(validateAnnotations({ k: "é".repeat(131072) }, path)).toHaveLength(1);
  });
});
