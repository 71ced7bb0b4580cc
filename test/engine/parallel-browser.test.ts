import { describe, expect, it } from "vitest";
import { FlowBatch } from "../../src/engine/batch.js";
import { compileSync } from "../../src/engine/engine.js";
import { clusterFromObjects } from "../../src/model/load.js";

// This file imports only the browser-safe modules: no worker threads are registered.
describe("decideParallel without the Node entry point", () => {
  it("says what it needs instead of crashing", async () => {
    const engine = compileSync(clusterFromObjects([]).cluster);
    await expect(engine.decideParallel(new FlowBatch(1))).rejects.toThrow(/needs worker threads/);
    expect(() => engine.createBatch(8, { shared: true })).toThrow(/createBatch\(\{ shared: true \}\) needs worker threads/);
  });
});
