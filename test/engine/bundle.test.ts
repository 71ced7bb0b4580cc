import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wordsAfterHeader } from "../../src/compile/bundle.js";
import { compileCluster } from "../../src/compile/index.js";
import { fnv1a } from "../../src/compile/layout.js";
import { FlowBatch } from "../../src/engine/batch.js";
import { BundleError, compileSync, loadBundleSync } from "../../src/engine/engine.js";
import { clusterObjects, type ClusterObjects, flowFor, type FlowText } from "../../src/fuzz/index.js";
import { clusterFromObjects } from "../../src/model/load.js";
import { toIPAddress } from "../../src/validate/ip.js";

const ip = toIPAddress;

function batchOf(flows: readonly FlowText[]): FlowBatch {
  const same = flows.filter((f) => ip(f.src).family === ip(f.dst).family);
  const batch = new FlowBatch(same.length);
  for (const f of same) batch.push(ip(f.src), ip(f.dst), f.protocol, f.port);
  return batch;
}

const scenario = clusterObjects().chain((c) => fc.tuple(fc.constant(c), fc.array(flowFor(c), { minLength: 1, maxLength: 30 })));
const compiled = (c: ClusterObjects) => compileSync(clusterFromObjects([...c.namespaces, ...c.pods, ...c.policies]).cluster);

function withChecksum(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(12, fnv1a(wordsAfterHeader(bytes)), true);
  return bytes;
}

/** Loads a bundle; a BundleError is a clean refusal, anything else (a trap, a crash) fails the test. */
function tryLoad(bytes: Uint8Array) {
  try {
    return loadBundleSync(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(BundleError);
    return undefined;
  }
}

describe("bundles", () => {
  it("a saved bundle loaded without the compiler decides exactly like the engine that made it", () => {
    fc.assert(
      fc.property(scenario, ([c, flows]) => {
        const engine = compiled(c);
        const batch = batchOf(flows);
        const again = loadBundleSync(engine.bundle());
        expect(again.decideBatch(batch)).toEqual(engine.decideBatch(batch));
        expect(again.explainBatch(batch)).toEqual(engine.explainBatch(batch));
        // Reason classes in side tables (what clusters past 65,535 classes get) decide and explain alike.
        const cluster = clusterFromObjects([...c.namespaces, ...c.pods, ...c.policies]).cluster;
        const unpacked = loadBundleSync(compileCluster(cluster, { packSlots: false }).bytes);
        expect(unpacked.decideBatch(batch)).toEqual(engine.decideBatch(batch));
        expect(unpacked.explainBatch(batch)).toEqual(engine.explainBatch(batch));
      }),
      { numRuns: 100 },
    );
  });

  it("any flipped byte is refused with an error code, never a trap", () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.integer({ min: 1, max: 255 }), ([c], at, xor) => {
        const bytes = compiled(c).bundle();
        bytes[at % bytes.length]! ^= xor;
        expect(() => loadBundleSync(bytes)).toThrow(BundleError);
      }),
      { numRuns: 300 },
    );
  });

  it("any truncation or extension is refused", () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.integer({ min: 1, max: 64 }), ([c], cut, extra) => {
        const bytes = compiled(c).bundle();
        expect(() => loadBundleSync(bytes.subarray(0, cut % bytes.length))).toThrow(BundleError);
        const longer = new Uint8Array(bytes.length + extra * 4);
        longer.set(bytes);
        expect(() => loadBundleSync(longer)).toThrow(BundleError);
      }),
      { numRuns: 200 },
    );
  });

  it("hostile bundles (corrupted, checksum recomputed) are refused or decide and explain without ever trapping", () => {
    const mutation = fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(0, 1, 0xff, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat())), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(scenario, mutation, ([c, flows], changes) => {
        const bytes = compiled(c).bundle();
        const view = new DataView(bytes.buffer);
        const words = (bytes.length - 16) / 4;
        for (const [at, value] of changes) view.setUint32(16 + 4 * (at % words), value >>> 0, true);
        const engine = tryLoad(withChecksum(bytes));
        if (!engine) return;
        const verdicts = engine.decideBatch(batchOf(flows));
        for (const v of verdicts) expect([0, 1]).toContain(v);
        const explained = engine.explainBatch(batchOf(flows));
        for (const v of explained.verdicts) expect([0, 1]).toContain(v);
        // Reasons name numbers the core checked; names a corruption broke are an error, not a crash.
        try {
          for (const code of explained.egress) expect(["none", "self", "allowed", "denied", "unknown"]).toContain(engine.reason(code).kind);
        } catch (e) {
          expect((e as Error).message).toMatch(/invalid bundle: its NAMES section/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("a header with a wrong magic, version or length names the problem", () => {
    const bytes = compileSync(clusterFromObjects([]).cluster).bundle();
    const wrong = (offset: number, value: number) => {
      const b = bytes.slice();
      new DataView(b.buffer).setUint32(offset, value, true);
      return () => loadBundleSync(b);
    };
    expect(wrong(0, 0x12345678)).toThrow(/bad magic/);
    expect(wrong(4, 99)).toThrow(/format version/);
    expect(wrong(8, bytes.length + 4)).toThrow(/length/);
    expect(wrong(12, 0)).toThrow(/checksum/);
  });
});
