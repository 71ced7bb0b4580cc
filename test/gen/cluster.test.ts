import { describe, expect, it } from "vitest";
import { type ClusterParams, type GeneratedCluster, PRESETS, generateCluster } from "../../src/gen/index.js";
import type * as api from "../../src/load/api.js";
import { clusterFromObjects } from "../../src/model/load.js";
import { cidrContains, parseCIDR, parseIP } from "../../src/validate/ip.js";

const objects = (c: GeneratedCluster) => [...c.namespaces, ...c.pods, ...c.policies];
const peers = (p: api.NetworkPolicy) => [
  ...(p.spec?.ingress ?? []).flatMap((r) => r.from ?? []),
  ...(p.spec?.egress ?? []).flatMap((r) => r.to ?? []),
];
const rules = (p: api.NetworkPolicy) => [...(p.spec?.ingress ?? []), ...(p.spec?.egress ?? [])];
const ports = (p: api.NetworkPolicy) => rules(p).flatMap((r) => r.ports ?? []);
const externalCIDRs = (c: GeneratedCluster) => new Set(c.policies.flatMap(peers).flatMap((p) => (p.ipBlock ? [p.ipBlock.cidr] : [])));
const selectors = (c: GeneratedCluster) => c.policies.flatMap(peers).flatMap((p) => (p.namespaceSelector ? [p.namespaceSelector] : []));

describe("generateCluster", () => {
  it.each([1, 2, 3])("SMALL and MEDIUM load without errors or warnings (seed %i)", (seed) => {
    for (const preset of [PRESETS.SMALL, PRESETS.MEDIUM]) {
      const loaded = clusterFromObjects(objects(generateCluster({ ...preset, seed })));
      expect(loaded.warnings).toEqual([]);
    }
  });

  it("LARGE loads without errors or warnings", () => {
    const c = generateCluster(PRESETS.LARGE);
    expect(clusterFromObjects(objects(c)).warnings).toEqual([]);
  });

  it.each<ClusterParams>([
    { namespaces: 1, pods: 0, policies: 0, cidrs: 0 },
    { namespaces: 1, pods: 1, policies: 1, cidrs: 1 },
    { namespaces: 2, pods: 30, policies: 3, cidrs: 7, dualStack: 1 },
    { namespaces: 7, pods: 333, policies: 50, cidrs: 40, dualStack: 0.5 },
    { namespaces: 30, pods: 1_000, policies: 5, cidrs: 60 },
  ])("odd sizes load, with exact counts: %o", (params) => {
    const c = generateCluster({ ...params, seed: 11 });
    expect(clusterFromObjects(objects(c)).warnings).toEqual([]);
    expect(c.namespaces).toHaveLength(params.namespaces);
    expect(c.pods).toHaveLength(params.pods);
    expect(c.policies).toHaveLength(params.policies);
    expect(externalCIDRs(c).size).toBe(params.cidrs);
  });

  it.each(Object.entries(PRESETS).filter(([name]) => name !== "XL"))("%s has exactly the counts asked for", (_, preset) => {
    const c = generateCluster(preset);
    expect(c.namespaces).toHaveLength(preset.namespaces);
    expect(c.pods).toHaveLength(preset.pods);
    expect(c.policies).toHaveLength(preset.policies);
    expect(externalCIDRs(c).size).toBe(preset.cidrs);
  });

  it("same seed gives identical objects, another seed different ones", () => {
    const a = generateCluster({ ...PRESETS.SMALL, seed: 5 });
    expect(generateCluster({ ...PRESETS.SMALL, seed: 5 })).toEqual(a);
    const b = generateCluster({ ...PRESETS.SMALL, seed: 6 });
    expect(b.pods).not.toEqual(a.pods);
    expect(b.policies).not.toEqual(a.policies);
  });

  it("asking for more policies leaves namespaces and pods as they were", () => {
    const a = generateCluster({ ...PRESETS.SMALL, seed: 5 });
    const b = generateCluster({ ...PRESETS.SMALL, policies: 60, seed: 5 });
    expect(b.namespaces).toEqual(a.namespaces);
    expect(b.pods).toEqual(a.pods);
  });

  it("no object is shared between two places (a YAML writer would emit anchors)", () => {
    const seen = new Set<object>();
    const walk = (v: unknown): void => {
      if (typeof v !== "object" || v === null) return;
      expect(seen.has(v)).toBe(false);
      seen.add(v);
      for (const x of Object.values(v)) walk(x);
    };
    walk(objects(generateCluster(PRESETS.SMALL)));
  });

  it("rejects impossible parameters", () => {
    expect(() => generateCluster({ namespaces: 0, pods: 1, policies: 0, cidrs: 0 })).toThrow(/namespaces/);
    expect(() => generateCluster({ namespaces: 1, pods: -1, policies: 0, cidrs: 0 })).toThrow(/pods/);
    expect(() => generateCluster({ namespaces: 1, pods: 1, policies: 0.5, cidrs: 0 })).toThrow(/policies/);
    expect(() => generateCluster({ namespaces: 1, pods: 1, policies: 0, cidrs: 3 })).toThrow(/cidrs/);
    expect(() => generateCluster({ namespaces: 1, pods: 1, policies: 1, cidrs: 0, dualStack: 2 })).toThrow(/dualStack/);
  });
});

describe("generated clusters look like real ones", () => {
  const c = generateCluster(PRESETS.MEDIUM);
  const running = c.pods.filter((p) => p.status?.phase === "Running" && !p.spec?.hostNetwork);

  it("namespaces carry team and env labels, some more", () => {
    const teams = c.namespaces.filter((ns) => ns.metadata.labels?.env !== undefined);
    expect(teams.length).toBeGreaterThan(c.namespaces.length / 2);
    expect(new Set(teams.map((ns) => ns.metadata.labels!.env))).toEqual(new Set(["prod", "staging", "dev"]));
    expect(teams.every((ns) => ns.metadata.labels!.team !== undefined)).toBe(true);
    expect(c.namespaces.some((ns) => Object.keys(ns.metadata.labels ?? {}).length > 2)).toBe(true);
  });

  it("pods are grouped into apps of varying size, with the labels controllers set", () => {
    const apps = new Map<string, number>();
    for (const p of c.pods) {
      const app = `${p.metadata.namespace}/${p.metadata.labels?.app}`;
      if (p.metadata.labels?.tier) apps.set(app, (apps.get(app) ?? 0) + 1);
    }
    const sizes = [...apps.values()];
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBeGreaterThan(15);
    const tiers = new Set(c.pods.map((p) => p.metadata.labels?.tier));
    for (const tier of ["frontend", "backend", "db", "cache", "worker"]) expect(tiers).toContain(tier);
    const deployed = c.pods.filter((p) => p.metadata.labels?.["pod-template-hash"] !== undefined);
    expect(deployed.length).toBeGreaterThan(c.pods.length / 2);
    const team = c.pods.filter((p) => p.metadata.labels?.tier !== undefined);
    expect(team.every((p) => p.metadata.labels!.version !== undefined)).toBe(true);
  });

  it("container ports are named, and use TCP, UDP and SCTP", () => {
    const all = c.pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((k) => k.ports ?? []));
    expect(all.every((p) => p.name !== undefined)).toBe(true);
    expect(new Set(all.map((p) => p.protocol ?? "TCP"))).toEqual(new Set(["TCP", "UDP", "SCTP"]));
    for (const name of ["http", "grpc", "metrics", "dns"]) expect(all.some((p) => p.name === name)).toBe(true);
  });

  it("a small share of pods is on the host network, and a small share pending without an address", () => {
    const host = c.pods.filter((p) => p.spec?.hostNetwork).length / c.pods.length;
    const pending = c.pods.filter((p) => p.status?.podIP === undefined).length / c.pods.length;
    expect(host).toBeGreaterThan(0.005);
    expect(host).toBeLessThan(0.05);
    expect(pending).toBeGreaterThan(0.005);
    expect(pending).toBeLessThan(0.05);
  });

  it("pod addresses are unique 10.x addresses; dual-stack pods also own a unique fd00: address", () => {
    const d = generateCluster({ ...PRESETS.MEDIUM, dualStack: 0.3 });
    const ips = d.pods.filter((p) => !p.spec?.hostNetwork).flatMap((p) => (p.status?.podIPs ?? []).map((x) => x.ip!));
    expect(new Set(ips).size).toBe(ips.length);
    const v6 = ips.filter((ip) => ip.startsWith("fd00:"));
    expect(ips.filter((ip) => ip.startsWith("10.")).length + v6.length).toBe(ips.length);
    expect(v6.length / running.length).toBeGreaterThan(0.25);
    expect(v6.length / running.length).toBeLessThan(0.35);
  });

  it("external CIDRs: mostly IPv4, some IPv6, mixed prefixes, many with excepts inside them", () => {
    const blocks = c.policies.flatMap(peers).flatMap((p) => (p.ipBlock ? [p.ipBlock] : []));
    const cidrs = [...externalCIDRs(c)].map((t) => parseCIDR(t!)).map((r) => (r.ok ? r.value : undefined)!);
    const v6 = cidrs.filter((x) => x.family === 6).length;
    expect(v6).toBeGreaterThan(0);
    expect(v6).toBeLessThan(cidrs.length / 3);
    expect(new Set(cidrs.map((x) => x.prefix)).size).toBeGreaterThan(8);
    const withExcept = blocks.filter((b) => (b.except ?? []).length > 0);
    expect(withExcept.length).toBeGreaterThan(blocks.length / 5);
    // ipBlock matches pod addresses too: the pod network is one of the CIDRs.
    const network = parseCIDR("10.64.0.0/10");
    const first = parseIP(running[0]!.status!.podIP!);
    expect(externalCIDRs(c)).toContain("10.64.0.0/10");
    expect(network.ok && first.ok && cidrContains(network.value, first.value)).toBe(true);
  });
});

describe.each([
  ["SMALL seed 1", generateCluster({ ...PRESETS.SMALL, seed: 1 })],
  ["SMALL seed 2", generateCluster({ ...PRESETS.SMALL, seed: 2 })],
  ["SMALL seed 3", generateCluster({ ...PRESETS.SMALL, seed: 3 })],
  ["MEDIUM", generateCluster(PRESETS.MEDIUM)],
])("every policy feature appears, even in small scenarios (%s)", (_, c) => {
  it("policies mix every policyTypes shape, default denies and empty rules", () => {
    const shapes = new Set(c.policies.map((p) => JSON.stringify(p.spec?.policyTypes ?? "absent")));
    expect(shapes).toEqual(new Set(['"absent"', '["Ingress"]', '["Egress"]', '["Ingress","Egress"]']));
    expect(c.policies.some((p) => rules(p).length === 0 && Object.keys(p.spec?.podSelector ?? {}).length === 0)).toBe(true);
    expect(c.policies.some((p) => rules(p).some((r) => Object.keys(r).length === 0))).toBe(true);
  });

  it("namespace selectors use matchLabels and every operator, alone and with a podSelector", () => {
    const operators = new Set(selectors(c).flatMap((s) => (s.matchExpressions ?? []).map((e) => e.operator)));
    expect(operators).toEqual(new Set(["In", "NotIn", "Exists", "DoesNotExist"]));
    expect(selectors(c).some((s) => s.matchLabels !== undefined)).toBe(true);
    const nsPeers = c.policies.flatMap(peers).filter((p) => p.namespaceSelector);
    expect(nsPeers.some((p) => p.podSelector)).toBe(true);
    expect(nsPeers.some((p) => !p.podSelector)).toBe(true);
  });

  it("ports: numeric and named, endPort ranges, UDP and SCTP, DNS egress", () => {
    const all = c.policies.flatMap(ports);
    expect(all.some((p) => typeof p.port === "number")).toBe(true);
    expect(all.some((p) => typeof p.port === "string")).toBe(true);
    expect(all.some((p) => p.endPort !== undefined)).toBe(true);
    expect(new Set(all.map((p) => p.protocol ?? "TCP"))).toEqual(new Set(["TCP", "UDP", "SCTP"]));
    const dns = (q: api.NetworkPolicyPort) => q.protocol === "UDP" && (q.port === 53 || q.port === "dns");
    expect(c.policies.some((p) => (p.spec?.egress ?? []).some((r) => r.ports?.some(dns)))).toBe(true);
  });
});
