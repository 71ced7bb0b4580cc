import { describe, expect, it } from "vitest";
import { WORDS_PER_ADDRESS, writeAddress } from "../../src/engine/batch.js";
import { type FlowText, type GeneratedCluster, PRESETS, flowsAsText, generateCluster, generateFlows } from "../../src/gen/index.js";
import { clusterFromObjects } from "../../src/model/load.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { type CIDR, cidrContains, parseCIDR, parseIP } from "../../src/validate/ip.js";

const medium = generateCluster(PRESETS.MEDIUM);
const dual = generateCluster({ namespaces: 10, pods: 2_000, policies: 200, cidrs: 60, dualStack: 0.3, seed: 3 });

const texts = (c: GeneratedCluster, params: Parameters<typeof generateFlows>[1]): FlowText[] => {
  const batch = generateFlows(c, params);
  return Array.from({ length: batch.length }, (_, i) => flowsAsText(batch, i));
};
const podAddresses = (c: GeneratedCluster) =>
  new Set(
    c.pods.filter((p) => p.status?.phase === "Running" && !p.spec?.hostNetwork).flatMap((p) => (p.status?.podIPs ?? []).map((x) => x.ip!)),
  );
const mustIP = (text: string) => {
  const r = parseIP(text);
  if (!r.ok) throw new Error(text);
  return r.value;
};
const cidr = (text: string): CIDR => {
  const r = parseCIDR(text);
  if (!r.ok) throw new Error(text);
  return r.value;
};
const ipBlocks = (c: GeneratedCluster) =>
  c.policies.flatMap((p) => [...(p.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(p.spec?.egress ?? []).flatMap((r) => r.to ?? [])])
    .flatMap((peer) => (peer.ipBlock ? [{ cidr: cidr(peer.ipBlock.cidr!), except: (peer.ipBlock.except ?? []).map(cidr) }] : []));

describe("generateFlows", () => {
  it("same seed gives identical batches, another seed a different one", () => {
    const a = generateFlows(medium, { count: 5_000, seed: 1, skew: 1 });
    const b = generateFlows(medium, { count: 5_000, seed: 1, skew: 1 });
    const c = generateFlows(medium, { count: 5_000, seed: 2, skew: 1 });
    expect(b.length).toBe(5_000);
    expect(b.src).toEqual(a.src);
    expect(b.dst).toEqual(a.dst);
    expect(b.meta).toEqual(a.meta);
    expect(c.src).not.toEqual(a.src);
  });

  it("80% pod to pod, 20% with exactly one side outside the cluster", () => {
    const pods = podAddresses(medium);
    const flows = texts(medium, { count: 20_000, seed: 4 });
    const inside = flows.map((f) => Number(pods.has(f.src)) + Number(pods.has(f.dst)));
    expect(inside.filter((n) => n === 0)).toHaveLength(0);
    expect(inside.filter((n) => n === 2).length / flows.length).toBeCloseTo(0.8, 1);
    const outbound = flows.filter((f) => pods.has(f.src) && !pods.has(f.dst)).length;
    const inbound = flows.filter((f) => !pods.has(f.src) && pods.has(f.dst)).length;
    expect(outbound / inbound).toBeGreaterThan(0.85);
    expect(outbound / inbound).toBeLessThan(1.15);
  });

  it("outside addresses fall inside the policies' CIDRs, inside their except holes, and elsewhere", () => {
    const pods = podAddresses(medium);
    const blocks = ipBlocks(medium);
    const outside = texts(medium, { count: 20_000, seed: 5 }).flatMap((f) => [f.src, f.dst]).filter((a) => !pods.has(a)).map(mustIP);
    // 0.0.0.0/0 and ::/0 contain everything: "elsewhere" means in no narrower block.
    const where = outside.map((ip) => {
      const containing = blocks.filter((b) => cidrContains(b.cidr, ip));
      if (containing.some((b) => b.except.some((e) => cidrContains(e, ip)))) return "hole";
      return containing.some((b) => b.cidr.prefix > 0) ? "block" : "none";
    });
    for (const kind of ["none", "hole", "block"]) expect(where.filter((w) => w === kind).length / where.length).toBeGreaterThan(0.1);
  });

  it("about 5% IPv6 flows, each with IPv6 on both sides, from dual-stack pods and external IPv6", () => {
    const pods = podAddresses(dual);
    const flows = texts(dual, { count: 20_000, seed: 6 });
    const v6 = flows.filter((f) => f.src.includes(":") || f.dst.includes(":"));
    expect(v6.every((f) => f.src.includes(":") && f.dst.includes(":"))).toBe(true);
    expect(v6.length / flows.length).toBeGreaterThan(0.04);
    expect(v6.length / flows.length).toBeLessThan(0.06);
    expect(v6.filter((f) => pods.has(f.src) && pods.has(f.dst)).length).toBeGreaterThan(v6.length / 2);
    expect(v6.some((f) => !pods.has(f.src) || !pods.has(f.dst))).toBe(true);
  });

  it("a cluster without IPv6 pods gets IPv4 flows only", () => {
    expect(texts(medium, { count: 5_000, seed: 7 }).some((f) => f.src.includes(":"))).toBe(false);
  });

  it("honours the external and ipv6 shares it is given", () => {
    const pods = podAddresses(dual);
    expect(texts(dual, { count: 2_000, external: 0 }).every((f) => pods.has(f.src) && pods.has(f.dst))).toBe(true);
    expect(texts(dual, { count: 2_000, ipv6: 1 }).every((f) => f.src.includes(":") && f.dst.includes(":"))).toBe(true);
  });

  it("uses every protocol, the ports pods listen on, and some others", () => {
    const flows = texts(medium, { count: 20_000, seed: 8 });
    const protocols = new Set(flows.map((f) => f.protocol));
    expect(protocols).toEqual(new Set(["TCP", "UDP", "SCTP"]));
    const containers = medium.pods.flatMap((p) => p.spec?.containers ?? []);
    const listening = new Set(containers.flatMap((k) => (k.ports ?? []).map((q) => q.containerPort)));
    const listened = flows.filter((f) => listening.has(f.port)).length / flows.length;
    expect(listened).toBeGreaterThan(0.5);
    expect(listened).toBeLessThan(0.95);
  });

  it("skew makes a few destinations popular", () => {
    const top = (skew: number) => {
      const counts = new Map<string, number>();
      for (const f of texts(medium, { count: 20_000, seed: 9, skew, external: 0 })) counts.set(f.dst, (counts.get(f.dst) ?? 0) + 1);
      return [...counts.values()].sort((a, b) => b - a).slice(0, 40).reduce((a, b) => a + b, 0);
    };
    expect(top(3)).toBeGreaterThan(3 * top(0));
  });

  it("verdicts are a real mix: allow and deny each at least 10% (reference evaluator, MEDIUM)", () => {
    const ref = new ReferenceEvaluator(clusterFromObjects([...medium.namespaces, ...medium.pods, ...medium.policies]).cluster);
    const flows = texts(medium, { count: 2_000, seed: 10 });
    const allowed = flows.filter((f) => ref.decide(f.src, f.dst, f.protocol, f.port) === "allow").length / flows.length;
    expect(allowed).toBeGreaterThan(0.1);
    expect(allowed).toBeLessThan(0.9);
  });

  it("flowsAsText gives back the words that were written", () => {
    const batch = generateFlows(dual, { count: 3_000, seed: 11, ipv6: 0.5 });
    const words = new Uint32Array(WORDS_PER_ADDRESS);
    for (let i = 0; i < batch.length; i++) {
      const f = flowsAsText(batch, i);
      writeAddress(words, 0, mustIP(f.src));
      expect([...words]).toEqual([...batch.src.subarray(i * WORDS_PER_ADDRESS, (i + 1) * WORDS_PER_ADDRESS)]);
      expect(batch.meta[i]! & 0xffff).toBe(f.port);
    }
    expect(() => flowsAsText(batch, batch.length)).toThrow(RangeError);
  });

  it("rejects impossible parameters", () => {
    expect(() => generateFlows(medium, { count: -1 })).toThrow(/count/);
    expect(() => generateFlows(medium, { count: 1, external: 1.5 })).toThrow(/external/);
    expect(() => generateFlows(medium, { count: 1, skew: -1 })).toThrow(/skew/);
    const empty = generateCluster({ namespaces: 1, pods: 0, policies: 0, cidrs: 0 });
    expect(() => generateFlows(empty, { count: 1 })).toThrow(/no running pod/);
    expect(generateFlows(empty, { count: 0 }).length).toBe(0);
  });
});
