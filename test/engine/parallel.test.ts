import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileSync } from "../../src/engine/engine.js";
import { FlowBatch } from "../../src/engine/batch.js";
import { GRAIN } from "../../src/engine/parallel.js";
import { generateCluster, generateFlows } from "../../src/gen/index.js";
import { clusterFromObjects } from "../../src/model/load.js";

const objects = generateCluster({ namespaces: 6, pods: 600, policies: 60, cidrs: 20, dualStack: 0.3, seed: 3 });
const engine = compileSync(clusterFromObjects([...objects.namespaces, ...objects.pods, ...objects.policies]).cluster);
const flows = generateFlows(objects, { count: 120_000, ipv6: 0.2, seed: 4 });
const expected = engine.decideBatch(flows);

afterAll(() => engine.close());

describe("decideParallel", () => {
  it("gives the verdicts of decideBatch, in input order, for any thread count and batch length", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: flows.length }), async (threads, length) => {
        const part = engine.createBatch(length, { shared: true }).copyFrom(flows, 0, length);
        const got = await engine.decideParallel(part, { threads });
        expect(got.length).toBe(length);
        expect(Buffer.from(got).equals(Buffer.from(expected.subarray(0, length)))).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it("decides batches in shared memory in place with decideBatch too, and keeps them valid as memory grows", async () => {
    const shared = engine.createBatch(flows.length, { shared: true }).copyFrom(flows);
    expect(Buffer.from(engine.decideBatch(shared)).equals(Buffer.from(expected))).toBe(true);
    // Grows the shared memory well past its first size: the first batch's arrays stay valid.
    const big = engine.createBatch(3_000_000, { shared: true });
    expect(big.capacity).toBe(3_000_000);
    expect(Buffer.from(await engine.decideParallel(shared, { threads: 2 })).equals(Buffer.from(expected))).toBe(true);
    shared.meta[0] = 0x03000050; // family 3: invalid, in place
    expect((await engine.decideParallel(shared, { threads: 2 }))[0]).toBe(255);
    expect(engine.decideBatch(shared)[0]).toBe(255);
  });

  it("works every grain off one counter: lengths around the grain, more threads than grains", async () => {
    for (const length of [GRAIN - 1, GRAIN, GRAIN + 1, 2 * GRAIN + 7, 3 * GRAIN]) {
      const part = new FlowBatch(length).copyFrom(flows, 1000, length);
      const got = await engine.decideParallel(part, { threads: 4 });
      expect(Buffer.from(got).equals(Buffer.from(expected.subarray(1000, 1000 + length)))).toBe(true);
    }
  });

  it("restarts its workers after close()", async () => {
    await engine.close();
    const got = await engine.decideParallel(flows, { threads: 2 });
    expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
  });

  it("copies an ordinary batch into shared memory and still agrees", async () => {
    const got = await engine.decideParallel(flows, { threads: 3 });
    expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
    expect(expected.includes(0) && expected.includes(1)).toBe(true);
  });

  it("writes into out when given, and refuses a short out or a bad thread count", async () => {
    const out = new Uint8Array(flows.length);
    expect(await engine.decideParallel(flows, { threads: 2, out })).toBe(out);
    expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
    await expect(engine.decideParallel(flows, { out: new Uint8Array(3) })).rejects.toThrow(/out holds 3/);
    await expect(engine.decideParallel(flows, { threads: 0 })).rejects.toThrow(/threads must be/);
  });
});
