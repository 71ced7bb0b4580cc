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

describe("label selectors", () => {
  it("S1: matchLabels at the map path", () => {
    const out = found(np({ podSelector: { matchLabels: { "a/b/c": "x", app: "a b" } } }));
    expect(out).toHaveLength(2);
    expect(out[0]).toContain('spec.podSelector.matchLabels: Invalid value: "a/b/c": a valid label key');
    expect(out[1]).toContain('spec.podSelector.matchLabels: Invalid value: "a b": a valid label must be');
  });

  it.each(["in", "", "Gt", "Lt", "exists"])("S2: operator %j", (operator) => {
    const out = found(np({ podSelector: { matchExpressions: [{ key: "app", operator, values: ["x"] }] } }));
    expect(out).toEqual([
      `spec.podSelector.matchExpressions[0].operator: Invalid value: "${operator}": not a valid selector operator`,
    ]);
  });

  it("S2: missing operator", () => {
    expect(found(np({ podSelector: { matchExpressions: [{ key: "app" }] } }))).toEqual([
      'spec.podSelector.matchExpressions[0].operator: Invalid value: "": not a valid selector operator',
    ]);
  });

  it.each(["In", "NotIn"])("S3: %s needs values", (operator) => {
    for (const values of [undefined, []]) {
      const out = found(np({ podSelector: { matchExpressions: [{ key: "app", operator, ...(values ? { values } : {}) }] } }));
      expect(out).toEqual([
        "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ]);
    }
  });

  it.each(["Exists", "DoesNotExist"])("S4: %s forbids values", (operator) => {
    const out = found(np({ podSelector: { matchExpressions: [{ key: "app", operator, values: ["x"] }] } }));
    expect(out).toEqual([
      "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ]);
  });

  it("S5: key must be a label key", () => {
    const out = found(np({ podSelector: { matchExpressions: [{ key: "bad key", operator: "Exists" }] } }));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('spec.podSelector.matchExpressions[0].key: Invalid value: "bad key": name part');
  });

  it("S5: a missing key is an empty name part", () => {
    const out = found(np({ podSelector: { matchExpressions: [{ operator: "Exists" }] } }));
    expect(out[0]).toBe('spec.podSelector.matchExpressions[0].key: Invalid value: "": name part must be non-empty');
  });

  it("S6: every value a label value, at its index", () => {
    const out = found(
      np({ podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["ok", "-bad", "x".repeat(64)] }] } }),
    );
    expect(out).toHaveLength(2);
    expect(out[0]).toContain('spec.podSelector.matchExpressions[0].values[1]: Invalid value: "-bad": a valid label must be');
    expect(out[1]).toContain("spec.podSelector.matchExpressions[0].values[2]: Invalid value:");
    expect(out[1]).toContain("must be no more than 63 bytes");
  });

  it("S7: empty selectors and duplicate values are valid", () => {
    const dup = { matchExpressions: [{ key: "app", operator: "In", values: ["a", "a"] }] };
    expect(found(np({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: dup }] }] }))).toEqual([]);
  });

  it("E4: peer selectors are validated at their paths", () => {
    const out = found(
      np({
        egress: [
          {
            to: [
              {
                podSelector: { matchLabels: { "-x": "y" } },
                namespaceSelector: { matchExpressions: [{ key: "team", operator: "in", values: ["a"] }] },
              },
            ],
          },
        ],
      }),
    );
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^spec\.egress\[0\]\.to\[0\]\.podSelector\.matchLabels: Invalid value: "-x"/);
    expect(out[1]).toMatch(/^spec\.egress\[0\]\.to\[0\]\.namespaceSelector\.matchExpressions\[0\]\.operator: Invalid value: "in"/);
  });
});
