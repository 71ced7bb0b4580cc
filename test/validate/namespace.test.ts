import { describe, it, expect } from "vitest";
import type { Namespace, ObjectMeta } from "../../src/load/api.js";
import { renderPath } from "../../src/load/path.js";
import { validateObject } from "../../src/validate/index.js";

const ns = (metadata: ObjectMeta): Namespace => ({ apiVersion: "v1", kind: "Namespace", metadata });

function found(obj: Namespace): string[] {
  return validateObject(obj, { strict: true }).map((i) => `${i.severity} ${renderPath(i.path)}: ${i.message}`);
}

describe("Namespace (N1)", () => {
  it.each(["default", "kube-system", "a", "0-team", "n".repeat(63)])("accepts %j", (name) => {
    expect(found(ns({ name }))).toEqual([]);
  });

  it("name required", () => {
    expect(found(ns({}))).toEqual(["error metadata.name: Required value: name or generateName is required"]);
  });

  it("generateName alone is not enough", () => {
    expect(found(ns({ generateName: "team-" }))[0]).toMatch(/^error metadata\.name: Required value/);
  });

  it("a name with dots", () => {
    expect(found(ns({ name: "team.prod" }))).toEqual(['error metadata.name: Invalid value: "team.prod": must not contain dots']);
  });

  it.each(["Team", "team_a", "-team", "team-"])("a name %j that is not a label", (name) => {
    expect(found(ns({ name }))[0]).toContain(
      `error metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    );
  });

  it("a 64-byte name, unlike a NetworkPolicy name", () => {
    expect(found(ns({ name: "n".repeat(64) }))).toEqual([
      `error metadata.name: Invalid value: "${"n".repeat(64)}": must be no more than 63 bytes`,
    ]);
  });

  it("labels are validated", () => {
    expect(found(ns({ name: "prod", labels: { "team/": "x" } }))[0]).toMatch(
      /^error metadata\.labels: Invalid value: "team\/": name part must be non-empty/,
    );
  });

  it("needs no namespace, and ignores one given (the server clears it)", () => {
    expect(found(ns({ name: "prod", namespace: "Other.NS" }))).toEqual([]);
  });
});
