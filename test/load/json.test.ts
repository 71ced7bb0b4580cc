import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PolicyError } from "../../src/load/diagnostics.js";
import { needsTree } from "../../src/load/parse.js";
import { loadCluster } from "../../src/model/load.js";

describe("JSON fast path", () => {
  it("finds a repeated key only within one object, comparing keys decoded", () => {
    expect(needsTree('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toBe(false);
    expect(needsTree('{"a":1,"b":2,"a":3}')).toBe(true);
    expect(needsTree('{"a":1,"\\u0061":2}')).toBe(true);
    expect(needsTree('{"x":{"k":"v","k":"w"}}')).toBe(true);
    expect(needsTree('{"s":"{\\"a\\":1,\\"a\\":2}","t":"[[[["}')).toBe(false);
  });

  it("agrees with a direct check on random objects", () => {
    const keys = fc.constantFrom("a", "b", "c", "\\u0061");
    fc.assert(
      fc.property(fc.array(fc.tuple(keys, fc.integer()), { maxLength: 6 }), (pairs) => {
        const text = `{${pairs.map(([k, v]) => `"${k}":${v}`).join(",")}}`;
        const decoded = pairs.map(([k]) => (k === "\\u0061" ? "a" : k));
        expect(needsTree(text)).toBe(new Set(decoded).size !== decoded.length);
      }),
    );
  });

  it("still names the line and column of a field that fails validation in a JSON file", () => {
    const text = '{\n  "apiVersion": "networking.k8s.io/v1",\n  "kind": "NetworkPolicy",\n  "metadata": {"name": "x"},\n  "spec": {"ingress": [{"ports": [{"port": 0}]}]}\n}\n';
    try {
      loadCluster([{ file: "np.json", text }]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      const d = (e as PolicyError).diagnostics.find((x) => x.severity === "error")!;
      expect(d).toMatchObject({ file: "np.json", line: 5, path: "spec.ingress[0].ports[0].port" });
      expect(d.column).toBeGreaterThan(30);
    }
  });

  it("reports a duplicate key in JSON at its path, as for YAML", () => {
    const text = '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a","name":"b"}}';
    expect(() => loadCluster([{ file: "ns.json", text }])).toThrow(/duplicate field "metadata\.name"/);
  });
});
