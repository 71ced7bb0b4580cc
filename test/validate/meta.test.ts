import { describe, it, expect } from "vitest";
import type { NetworkPolicy, NetworkPolicySpec, ObjectMeta } from "../../src/load/api.js";
import { renderPath } from "../../src/load/path.js";
import { validateObject } from "../../src/validate/index.js";

function np(spec?: NetworkPolicySpec, metadata: ObjectMeta = { name: "p", namespace: "default" }): NetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata, ...(spec ? { spec } : {}) };
}

/** Rendered `path: message` of the issues of one severity. */
function found(obj: NetworkPolicy, severity: "error" | "warning" = "error", strict = false): string[] {
  return validateObject(obj, { strict })
    .filter((i) => i.severity === severity)
    .map((i) => `${renderPath(i.path)}: ${i.message}`);
}

describe("ObjectMeta of a NetworkPolicy", () => {
  it("M1: name required", () => {
    expect(found(np(undefined, { namespace: "default" }))).toEqual([
      "metadata.name: Required value: name or generateName is required",
    ]);
  });

  it("M1: generateName alone is not enough", () => {
    const out = found(np(undefined, { generateName: "allow-", namespace: "default" }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^metadata\.name: Required value/);
  });

  it("M1: an invalid generateName is reported at its own path", () => {
    expect(found(np(undefined, { name: "p", generateName: "Allow-", namespace: "default" }))[0]).toMatch(
      /^metadata\.generateName: Invalid value: "Allow-": a lowercase RFC 1123 subdomain/,
    );
  });

  it.each(["Allow-Web", "allow_web", "-allow", "allow.", "allow..web"])("M2: name %j is not a subdomain", (name) => {
    const out = found(np(undefined, { name, namespace: "default" }));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(`metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of`);
  });

  it("M2: at most 253 bytes, without a per-part limit", () => {
    expect(found(np(undefined, { name: "a".repeat(253), namespace: "default" }))).toEqual([]);
    expect(found(np(undefined, { name: "a".repeat(254), namespace: "default" }))).toEqual([
      `metadata.name: Invalid value: "${"a".repeat(254)}": must be no more than 253 bytes`,
    ]);
  });

  it("M3: metadata.namespace with dots", () => {
    expect(found(np(undefined, { name: "p", namespace: "my.ns" }))).toEqual([
      'metadata.namespace: Invalid value: "my.ns": must not contain dots',
    ]);
  });

  it("M3: metadata.namespace not a label", () => {
    expect(found(np(undefined, { name: "p", namespace: "My_NS" }))[0]).toContain(
      'metadata.namespace: Invalid value: "My_NS": a lowercase RFC 1123 label must consist of',
    );
    expect(found(np(undefined, { name: "p", namespace: "n".repeat(64) }))[0]).toContain("must be no more than 63 bytes");
  });

  it("M4: labels at the map path", () => {
    const out = found(np(undefined, { name: "p", namespace: "default", labels: { "App.io/name": "x", tier: "-web" } }));
    expect(out).toHaveLength(2);
    expect(out[0]).toContain('metadata.labels: Invalid value: "App.io/name": prefix part a lowercase RFC 1123 subdomain');
    expect(out[1]).toContain('metadata.labels: Invalid value: "-web": a valid label must be');
  });

  it("M5: annotations", () => {
    const meta = { name: "p", namespace: "default", annotations: { "Example.com/Note": "ok", "a b": "x" } };
    expect(found(np(undefined, meta))).toEqual([expect.stringMatching(/^metadata\.annotations: Invalid value: "a b"/)]);
  });

  it("M6: namespace required", () => {
    expect(found(np(undefined, { name: "p", namespace: "" }))).toEqual(["metadata.namespace: Required value"]);
    expect(found(np(undefined, { name: "p" }))).toEqual(["metadata.namespace: Required value"]);
  });
});
