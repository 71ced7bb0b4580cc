import { describe, expect, it } from "vitest";
import { FlowBatch } from "../../src/engine/batch.js";
import { compileSync, loadBundleSync } from "../../src/engine/engine.js";
import { REASON_DENIED, REASON_INVALID, REASON_NONE, REASON_RULE, REASON_SELF } from "../../src/engine/reasons.js";
import { loadPaths } from "../../src/model/files.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { toIPAddress as ip } from "../../src/validate/ip.js";

const { cluster } = await loadPaths(["examples/shop"]);
const engine = compileSync(cluster);
const ref = new ReferenceEvaluator(cluster);
const index = (name: string) => cluster.policies.findIndex((p) => `${p.namespace}/${p.name}` === name);

describe("explanations (the shop example)", () => {
  it("names the first allowing rule on each side", () => {
    const x = engine.explain("10.244.1.20", "10.244.2.30", "TCP", 5432); // api -> database
    expect(x).toEqual({
      verdict: "allow",
      egress: { kind: "allowed", policy: index("shop/api"), rule: 0, names: ["shop/api"] },
      ingress: { kind: "allowed", policy: index("shop/database"), rule: 0, names: ["shop/database"] },
    });
  });

  it("lists the isolating policies, in cluster order, when no rule matched", () => {
    const x = engine.explain("10.244.1.10", "10.244.2.30", "TCP", 5432); // frontend -> database
    expect(x.verdict).toBe("deny");
    expect(x.egress.names).toEqual(["shop/default-deny", "shop/allow-dns", "shop/frontend"]);
    expect(x.ingress).toMatchObject({ kind: "denied", names: ["shop/default-deny", "shop/database", "shop/allow-scrape"] });
  });

  it("says none for outside addresses and sides no policy isolates, self for a pod reaching itself", () => {
    expect(engine.explain("192.168.10.11", "10.244.1.20", "TCP", 9091).egress).toEqual({ kind: "none" });
    expect(engine.explain("198.51.100.7", "198.51.100.7", "TCP", 80)).toEqual({ verdict: "allow", egress: { kind: "none" }, ingress: { kind: "none" } });
    expect(engine.explain("10.244.1.20", "10.244.1.20", "TCP", 1)).toEqual({ verdict: "allow", egress: { kind: "self" }, ingress: { kind: "self" } });
    // default namespace has no policies: the IPv6 debug pod's egress is not isolated
    const v6 = cluster.pods.find((p) => p.name === "debug-v6")!.ips[0]!.text;
    expect(engine.explain(v6, "fd00:10:244::2", "UDP", 53).egress).toEqual({ kind: "none" });
  });

  it("encodes reasons as documented, and flags invalid flows", () => {
    const batch = new FlowBatch(4);
    batch.push(ip("10.244.1.20"), ip("10.244.2.30"), "TCP", 5432);
    batch.push(ip("10.244.1.10"), ip("10.244.2.30"), "TCP", 5432);
    batch.push(ip("10.244.1.20"), ip("10.244.1.20"), "TCP", 5432);
    batch.push(ip("198.51.100.7"), ip("198.51.100.8"), "TCP", 1);
    batch.meta[3] = 0x00030001; // protocol code 3: invalid
    const x = engine.explainBatch(batch);
    expect([...x.verdicts]).toEqual([1, 0, 1, 255]);
    expect((x.egress[0]! & 0xc0000000) >>> 0).toBe(REASON_RULE);
    expect((x.egress[1]! & 0xc0000000) >>> 0).toBe(REASON_DENIED);
    expect([x.egress[2], x.ingress[2]]).toEqual([REASON_SELF, REASON_SELF]);
    expect([x.egress[3], x.ingress[3]]).toEqual([REASON_INVALID, REASON_INVALID]);
    expect(engine.reason(REASON_NONE)).toEqual({ kind: "none" });
    expect(engine.reason(REASON_INVALID)).toEqual({ kind: "invalid" });
    expect(engine.reason(REASON_RULE | 0x3fffffff)).toEqual({ kind: "unknown" });
  });

  it("agrees with the reference on every flow of the example, in batches made anywhere", () => {
    const text = ["10.244.1.10", "10.244.1.20", "10.244.2.30", "10.244.3.40", "10.244.4.50", "10.244.0.2", "198.51.100.7", "203.0.113.10", "203.0.113.200"];
    const ports: [("TCP" | "UDP"), number][] = [["TCP", 8080], ["TCP", 8000], ["TCP", 5432], ["TCP", 8443], ["UDP", 53], ["TCP", 53], ["TCP", 9091], ["TCP", 443]];
    const flows = text.flatMap((s) => text.flatMap((d) => ports.map(([protocol, port]) => ({ src: ip(s), dst: ip(d), protocol, port }))));
    const resident = engine.createBatch(flows.length);
    for (const f of flows) resident.push(f.src, f.dst, f.protocol, f.port);
    const again = loadBundleSync(engine.bundle()); // names come from the bundle alone
    for (const [e, batch] of [[engine, resident], [again, new FlowBatch(flows.length).copyFrom(resident)]] as const) {
      const x = e.explainBatch(batch);
      flows.forEach((f, i) => {
        expect({ verdict: x.verdicts[i] === 1 ? "allow" : "deny", egress: e.reason(x.egress[i]!), ingress: e.reason(x.ingress[i]!) }).toEqual(ref.explainFlow(f));
      });
    }
  });

  it("refuses an out array too short", () => {
    const batch = new FlowBatch(2);
    batch.push(ip("10.244.1.20"), ip("10.244.2.30"), "TCP", 5432);
    batch.push(ip("10.244.1.20"), ip("10.244.2.30"), "TCP", 5432);
    expect(() => engine.explainBatch(batch, { verdicts: new Uint8Array(1), egress: new Uint32Array(2), ingress: new Uint32Array(2) })).toThrow(/out holds fewer/);
  });
});
