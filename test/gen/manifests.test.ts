import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { PRESETS, generateCluster, manifestYAML } from "../../src/gen/index.js";
import { clusterFromObjects, loadCluster } from "../../src/model/load.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Strings YAML readers are known to take for something else, or to choke on, written plain. */
const TRICKY = [
  "y", "Y", "n", "N", "yes", "No", "ON", "off", "true", "False", "null", "Null", "~", "", " ", "0755", "0o17", "0x1F", "1e3", "1_000",
  "12:30", "e0", "E12", "e-3", "190:20:30", "2001-12-14", ".inf", "-.INF", ".nan", "+1", "-1", "1.", ".5", "-", "- a", "a: b", "a:b", "#x", "x #y", "'q'",
  "\"q\"", " lead", "trail ", "a\nb", "tab\there", "10.0.0.1", "10.0.0.0/8", "1.2.3", "fd00::1", "::/0", "::", "@x", "`x", "%x", "!x",
  "&x", "*x", "[x]", "{x}", "|", ">", "?", "? x", "=", "<<", ",", "x,y", "ünï", "\u2028", "\u0000", "\\", "a\\nb", "---", "...",
];
const text = fc.oneof(fc.constantFrom(...TRICKY), fc.string(), fc.string({ unit: "grapheme" }), fc.stringMatching(/^[a-z0-9.:/-]{1,12}$/));
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null), fc.boolean(), fc.integer(), fc.maxSafeInteger(), text,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 4 }),
  ),
})).value;
const object = fc.dictionary(text, json, { maxKeys: 6 });

const read11 = (s: string) => parse(s, { version: "1.1", uniqueKeys: true }) as unknown;
const read12 = (s: string) => parse(s, { version: "1.2", uniqueKeys: true }) as unknown;

describe("manifestYAML", () => {
  it("reads back as the object it was written from, in YAML 1.1 (kubectl) and 1.2", () => {
    fc.assert(
      fc.property(object, (o) => {
        const yaml = manifestYAML(o);
        const expected = Object.keys(o).length === 0 ? null : o;
        expect(read11(yaml)).toEqual(expected);
        expect(read12(yaml)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("generated manifests load into the same cluster as the objects, without warnings", () => {
    const c = generateCluster({ namespaces: 7, pods: 333, policies: 50, cidrs: 40, dualStack: 0.5, seed: 4 });
    const objects = [...c.namespaces, ...c.pods, ...c.policies];
    const text = objects.map((o) => `---\n${manifestYAML(o as unknown as Record<string, unknown>)}`).join("");
    const loaded = loadCluster([{ file: "gen.yaml", text }]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.cluster).toEqual(clusterFromObjects(objects).cluster);
  });

  it("every object of a preset reads back equal in YAML 1.1", () => {
    const c = generateCluster(PRESETS.SMALL);
    for (const o of [...c.namespaces, ...c.pods, ...c.policies]) {
      expect(read11(manifestYAML(o as unknown as Record<string, unknown>))).toEqual(JSON.parse(JSON.stringify(o)));
    }
  });

  it("lays documents out as kubectl does: sequences at their key's indentation, empty ones inline", () => {
    const yaml = manifestYAML({
      kind: "Pod",
      metadata: { name: "y", labels: { app: "web", "pod-template-hash": "5d4f8" }, annotations: undefined },
      spec: { containers: [{ name: "web", ports: [{ containerPort: 80 }, { name: "on", containerPort: 81 }] }], volumes: [], nodeSelector: {} },
      status: { podIP: "10.0.0.1", podIPs: [{ ip: "10.0.0.1" }, { ip: "fd00::1" }] },
    });
    expect(yaml).toBe(`kind: Pod
metadata:
  name: "y"
  labels:
    app: web
    pod-template-hash: "5d4f8"
spec:
  containers:
  - name: web
    ports:
    - containerPort: 80
    - name: "on"
      containerPort: 81
  volumes: []
  nodeSelector: {}
status:
  podIP: 10.0.0.1
  podIPs:
  - ip: 10.0.0.1
  - ip: "fd00::1"
`);
  });

  it("refuses what an API object cannot hold, naming the field", () => {
    expect(() => manifestYAML({ spec: { replicas: 1.5 } })).toThrow(/spec\.replicas: 1\.5 is not a whole number/);
    expect(() => manifestYAML({ spec: { ports: [() => 1] } })).toThrow(/spec\.ports\[0\]: cannot write a function/);
  });
});
