import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FlowBatch, flowAt } from "../../src/engine/batch.js";
import { BundleError, compile, compileSync, loadBundle } from "../../src/engine/engine.js";
import { generateCluster, generateFlows } from "../../src/gen/index.js";
import { clusterFromObjects, loadCluster } from "../../src/model/load.js";
import { toIPAddress } from "../../src/validate/ip.js";

const shop = loadCluster(["cluster.yaml", "policies.yaml"].map((f) => {
  const file = new URL(`../../examples/shop/${f}`, import.meta.url);
  return { file: f, text: readFileSync(file, "utf8") };
})).cluster;
const ip = toIPAddress;

describe("engine API", () => {
  it("compile (async) and compileSync give engines that agree; bundle() round-trips through loadBundle", async () => {
    const a = await compile(shop);
    const b = compileSync(shop);
    const c = await loadBundle(a.bundle());
    for (const e of [a, b, c]) {
      expect(e.decide("10.244.1.20", "10.244.2.30", "TCP", 5432)).toBe("allow");
      expect(e.decide("10.244.1.10", "10.244.2.30", "TCP", 5432)).toBe("deny");
      expect(e.decide(ip("2001:db8:77::1"), ip("fd00:10:244:1::a"), "TCP", 8080)).toBe("allow");
    }
    expect(a.stats?.pods).toBe(8);
    expect(c.stats).toBeUndefined();
  });

  it("bundle() is a copy: changing it does not change the engine", () => {
    const e = compileSync(shop);
    const bytes = e.bundle();
    bytes.fill(0);
    expect(e.bundle()).not.toEqual(bytes);
  });

  it("refuses flows it cannot decide with clear errors", () => {
    const e = compileSync(shop);
    expect(() => e.decide("10.0.0.1", "::1", "TCP", 80)).toThrow(/different families/);
    expect(() => e.decide("10.0.0.1", "10.0.0.2", "TCP", 0)).toThrow(/port 0/);
    expect(() => e.decide("10.0.0.300", "10.0.0.2", "TCP", 80)).toThrow(/not an IP address/);
    expect(() => e.decide("10.0.0.1", "10.0.0.2", "tcp" as never, 80)).toThrow(/not a protocol/);
    const bad = new FlowBatch(1);
    expect(() => bad.push(ip("10.0.0.1"), ip("10.0.0.2"), "TCP", 70000)).toThrow(/port 70000/);
    expect(() => bad.push(ip("10.0.0.1"), ip("10.0.0.2"), "ICMP" as never, 1)).toThrow(/not a protocol/);
    expect(bad.length).toBe(0);
    const two = new FlowBatch(2);
    two.push(ip("10.0.0.1"), ip("10.0.0.2"), "TCP", 80);
    two.push(ip("10.0.0.2"), ip("10.0.0.1"), "UDP", 53);
    expect(() => e.decideBatch(two, new Uint8Array(1))).toThrow(/out holds 1/);
  });

  it("flowAt reads back exactly the flow that push wrote, in both families", () => {
    const b = new FlowBatch(2);
    b.push(ip("10.244.1.20"), ip("10.244.2.30"), "UDP", 53);
    b.push(ip("2001:db8::1"), ip("fd00:10:244:1::a"), "SCTP", 65535);
    expect(flowAt(b, 0)).toMatchObject({ src: { family: 4, text: "10.244.1.20" }, dst: { text: "10.244.2.30" }, protocol: "UDP", port: 53 });
    expect(flowAt(b, 1)).toMatchObject({ src: { family: 6, text: "2001:db8::1" }, dst: { text: "fd00:10:244:1::a" }, protocol: "SCTP", port: 65535 });
  });

  it("a loadBundle of garbage is a BundleError naming the problem", async () => {
    await expect(loadBundle(new Uint8Array(64))).rejects.toThrow(BundleError);
    await expect(loadBundle(new Uint8Array(64))).rejects.toThrow(/bad magic/);
  });

  it("batches in engine memory (createBatch) decide exactly like copied batches, even after memory grows", () => {
    const objects = generateCluster({ namespaces: 5, pods: 300, policies: 30, cidrs: 10, dualStack: 0.3, seed: 7 });
    const engine = compileSync(clusterFromObjects([...objects.namespaces, ...objects.pods, ...objects.policies]).cluster);
    const flows = generateFlows(objects, { count: 40_000, seed: 8 });
    const expected = engine.decideBatch(flows);
    const resident = engine.createBatch(flows.length);
    resident.src.set(flows.src);
    resident.dst.set(flows.dst);
    resident.meta.set(flows.meta);
    resident.length = flows.length;
    expect(engine.decideBatch(resident)).toEqual(expected);
    engine.createBatch(2_000_000); // grows memory: resident's views are made again on next use
    expect(resident.meta.byteLength).toBe(flows.length * 4);
    expect(engine.decideBatch(resident)).toEqual(expected);
    expect(expected.some((v) => v === 1) && expected.some((v) => v === 0)).toBe(true);
  });
});
