/**
 * engine.apply: after any sequence of watch events, the engine decides and explains exactly as
 * a full compile of the final state (held here to the reference evaluator of that state); a
 * batch with a bad object or a duplicate address changes nothing; the updated bundle() is the
 * state's bundle.
 */
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlowBatch } from "../../src/engine/batch.js";
import { compileSync, loadBundleSync } from "../../src/engine/engine.js";
import "../../src/engine/parallel.js";
import { toIPAddress } from "../../src/validate/ip.js";
import { clusterFromObjects } from "../../src/model/load.js";
import { checkLive, liveScenario, liveSplitScenario } from "./live-property.js";

describe("engine.apply (live updates)", () => {
  it("after any sequence of watch events the engine equals a full compile of the final state; refused batches change nothing", () => {
    const paths = { addresses: 0, incremental: 0, recompiled: 0, none: 0, refused: 0 };
    fc.assert(fc.property(liveScenario, (scenario) => checkLive(scenario, paths)), { numRuns: 400 });
    // Both paths and refusals were exercised, not only one of them.
    expect(paths.addresses).toBeGreaterThan(20);
    expect(paths.incremental).toBeGreaterThan(20);
    expect(paths.recompiled).toBeGreaterThan(20);
    expect(paths.refused).toBeGreaterThan(3);
  }, 120_000);

  it("live compiles split and move the peer classes of a cluster with few policies as a whole compile would", () => {
    const paths = { addresses: 0, incremental: 0, recompiled: 0, none: 0, refused: 0 };
    fc.assert(fc.property(liveSplitScenario, (scenario) => checkLive(scenario, paths)), { numRuns: 800 });
    expect(paths.incremental).toBeGreaterThan(20);
  }, 120_000);

  it("a live compile splits port classes under the rows of existing profiles (a cut below theirs, other protocols after it)", () => {
    const np = (name: string, app: string, port: number, protocol = "TCP") => ({
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "shop" },
      spec: { podSelector: { matchLabels: { app } }, ingress: [{ ports: [{ port, protocol }] }] },
    });
    const { cluster } = clusterFromObjects([...shop().slice(0, 3), np("db-web", "db", 80), np("db-dns", "db", 9000, "UDP")]);
    const engine = compileSync(cluster);
    const r = engine.apply([{ type: "ADDED", object: np("api-dns", "api", 53) }]);
    expect(r.update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 80)).toBe("allow");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 53)).toBe("deny");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "UDP", 9000)).toBe("allow");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "UDP", 9001)).toBe("deny");
    expect(engine.decide("10.0.2.1", "10.0.1.1", "TCP", 53)).toBe("allow");
  });

  it("a pod whose named port is at a number no pod had it is not placed in the class of a pod without it", () => {
    // Found by comparing every flow with a whole compile: db-2 has db-1's column over every set
    // the tables have, but its pg port is at 6432, where no set or port class knows it.
    const named = (name: string, ip: string, port?: number) => ({ ...pod(name, ip, { app: "db" }), spec: { containers: [{ name: "c", ports: port ? [{ name: "pg", containerPort: port }] : [] }] } });
    const egress = {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "api", namespace: "shop" },
      spec: { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "pg" }] }] },
    };
    const engine = compileSync(clusterFromObjects([shop()[0]!, pod("api-1", "10.0.1.1", { app: "api" }), named("db-0", "10.0.2.1", 5432), named("db-1", "10.0.2.2"), egress]).cluster);
    expect(engine.apply([{ type: "ADDED", object: named("db-2", "10.0.2.3", 6432) }]).update).not.toBe("addresses");
    expect(engine.decide("10.0.1.1", "10.0.2.3", "TCP", 6432)).toBe("allow");
    expect(engine.decide("10.0.1.1", "10.0.2.3", "TCP", 5432)).toBe("deny");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow");
  });

  it("a policy with an ipBlock the tables lack compiles incrementally: the CIDR classes split under it", () => {
    const { cluster } = clusterFromObjects([...shop(), pod("web-0", "10.0.3.1", { app: "web" })]);
    const engine = compileSync(cluster);
    const toNet = (name: string, cidr: string, except: string[] = []) => ({
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "shop" },
      spec: { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr, except } }] }] },
    });
    expect(engine.apply([{ type: "ADDED", object: toNet("to-db-net", "10.0.2.0/24") }]).update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow"); // a pod address inside the block
    expect(engine.decide("10.0.1.1", "10.0.2.200", "TCP", 1)).toBe("allow"); // an outside address inside it
    expect(engine.decide("10.0.1.1", "10.0.3.1", "TCP", 80)).toBe("deny");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5433)).toBe("deny"); // db's own ingress policy
    expect(engine.apply([{ type: "MODIFIED", object: toNet("to-db-net", "10.0.0.0/16", ["10.0.3.0/24"]) }]).update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "10.0.3.1", "TCP", 80)).toBe("deny");
    expect(engine.decide("10.0.1.1", "10.0.4.1", "TCP", 80)).toBe("allow");
    expect(engine.decide("10.0.1.1", "10.1.0.1", "TCP", 80)).toBe("deny");
  });

  it("a namespace relabelled under a namespaceSelector moves its pods' classes; a new set in the same batch splits the moved class", () => {
    const ns = (name: string, team: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { team } } });
    const at = (name: string, namespace: string, ip: string) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: "c" }] }, status: { podIP: ip } });
    const ingress = (name: string, app: string, from: object) => ({
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "a" },
      spec: { podSelector: { matchLabels: { app } }, ingress: [{ from: [from] }] },
    });
    const objects = [
      ns("a", "x"), ns("b", "y"), ns("c", "y"), at("web", "a", "10.0.0.1"), at("web2", "a", "10.0.0.9"),
      at("client1", "b", "10.0.0.2"), at("client2", "b", "10.0.0.3"), at("other", "c", "10.0.0.4"),
      ingress("web", "web", { namespaceSelector: { matchLabels: { team: "y" } } }),
    ];
    const engine = compileSync(clusterFromObjects(objects).cluster);
    expect(engine.decide("10.0.0.2", "10.0.0.1", "TCP", 80)).toBe("allow");
    expect(engine.apply([{ type: "MODIFIED", object: ns("b", "z") }]).update).toBe("incremental");
    expect(["10.0.0.2", "10.0.0.3", "10.0.0.4"].map((src) => engine.decide(src, "10.0.0.1", "TCP", 80))).toEqual(["deny", "deny", "allow"]);
    // b back to team y, and a policy for web2 telling client1 from client2: the class they moved to together splits.
    const web2 = ingress("web2", "web2", { namespaceSelector: { matchLabels: { team: "y" } }, podSelector: { matchLabels: { app: "client1" } } });
    expect(engine.apply([{ type: "MODIFIED", object: ns("b", "y") }, { type: "ADDED", object: web2 }]).update).toBe("incremental");
    expect(["10.0.0.2", "10.0.0.3", "10.0.0.4"].map((src) => engine.decide(src, "10.0.0.1", "TCP", 80))).toEqual(["allow", "allow", "allow"]);
    expect(["10.0.0.2", "10.0.0.3", "10.0.0.4"].map((src) => engine.decide(src, "10.0.0.9", "TCP", 80))).toEqual(["allow", "deny", "deny"]);
    expect(engine.apply([{ type: "MODIFIED", object: ns("b", "z") }, { type: "MODIFIED", object: { ...web2, spec: { ...web2.spec, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "client2" } } }] }] } } }]).update).toBe("incremental");
    expect(["10.0.0.2", "10.0.0.3", "10.0.0.4"].map((src) => engine.decide(src, "10.0.0.1", "TCP", 80))).toEqual(["deny", "deny", "allow"]);
    expect(["10.0.0.2", "10.0.0.3", "10.0.0.4"].map((src) => engine.decide(src, "10.0.0.9", "TCP", 80))).toEqual(["deny", "allow", "deny"]);
  });

  it("a pod whose CIDR class a new ipBlock cut, then its namespace relabelled, is decided by its new classes", () => {
    const ns = (name: string, team: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { team } } });
    const at = (name: string, namespace: string, ip: string) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: "c" }] }, status: { podIP: ip } });
    const np = (name: string, spec: object) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "a" }, spec });
    const engine = compileSync(clusterFromObjects([ns("a", "x"), ns("b", "z"), at("web", "a", "10.0.0.1"), at("client", "b", "10.0.1.1"),
      np("web", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "y" } } }] }] })]).cluster);
    expect(engine.decide("10.0.1.1", "10.0.0.1", "TCP", 80)).toBe("deny");
    const block = np("net", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.1.0/24" } }] }] });
    expect(engine.apply([{ type: "ADDED", object: block }]).update).toBe("incremental");
    // The relabel moves client's classes; a set new in the same batch is asked of every class.
    const more = np("net2", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.2.0/24" } }] }] });
    expect(engine.apply([{ type: "MODIFIED", object: ns("b", "y") }, { type: "ADDED", object: more }]).update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "10.0.0.1", "TCP", 80)).toBe("allow");
    expect(engine.decide("10.0.0.1", "10.0.1.1", "TCP", 80)).toBe("allow");
    expect(engine.decide("10.0.0.1", "10.0.2.1", "TCP", 80)).toBe("allow");
    expect(engine.decide("10.0.0.1", "10.0.3.1", "TCP", 80)).toBe("deny");
  });

  // Shrunk counterexamples of the live properties, replayed on every run.
  const liveCases = readdirSync(new URL("./regressions/live/", import.meta.url)).filter((f) => f.endsWith(".json"));
  it.each(liveCases)("regression %s", (file) => {
    const { scenario } = JSON.parse(readFileSync(new URL(`./regressions/live/${file}`, import.meta.url), "utf8")) as { scenario: Parameters<typeof checkLive>[0] };
    checkLive(scenario, { addresses: 0, incremental: 0, recompiled: 0, none: 0, refused: 0 });
  });

  it("a pod added beside its replicas only rebuilds the address tables, and decides at once", () => {
    const { cluster } = clusterFromObjects(shop());
    const engine = compileSync(cluster);
    const r = engine.apply([{ type: "ADDED", object: pod("api-2", "10.0.1.9", { app: "api" }) }]);
    expect(r.update).toBe("addresses");
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("allow");
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5433)).toBe("deny");
    // A new identity that every peer set treats like one the bundle has (no selector reads its
    // labels) fits the tables too; a pod in a namespace the bundle does not know compiles again.
    const other = pod("tool", "10.0.1.10", { app: "tool" });
    expect(engine.apply([{ type: "ADDED", object: other }]).update).toBe("addresses");
    expect(engine.decide("10.0.1.10", "10.0.2.1", "TCP", 5432)).toBe("deny");
    const elsewhere = { ...pod("job", "10.0.3.1", { app: "api" }), metadata: { name: "job", namespace: "ops", labels: { app: "api" } } };
    expect(engine.apply([{ type: "ADDED", object: elsewhere }]).update).toBe("incremental");
    expect(engine.decide("10.0.3.1", "10.0.2.1", "TCP", 5432)).toBe("deny"); // the db policy's peers are pods of shop
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("allow");
    expect(engine.apply([{ type: "DELETED", object: other }, { type: "DELETED", object: pod("api-2", "10.0.1.9", { app: "api" }) }]).update).toBe("addresses");
    expect(engine.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("deny");
    // An event that changes nothing rebuilds nothing; the saved bundle is the live state's.
    expect(engine.apply([{ type: "MODIFIED", object: pod("api-1", "10.0.1.1", { app: "api" }) }]).update).toBe("none");
    const saved = loadBundleSync(engine.bundle());
    expect(saved.decide("10.0.1.9", "10.0.2.1", "TCP", 5432)).toBe("deny");
    expect(saved.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow");
  });

  it("a refused batch leaves the objects in their order: policies keep their numbers after the next compile", () => {
    const extra = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "zz", namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Egress"] } };
    const engine = compileSync(clusterFromObjects([...shop(), extra]).cluster);
    // Refused (the address is api-1's): the deletion of policy db in it must not move db last.
    expect(() => engine.apply([{ type: "DELETED", object: shop()[3]! }, { type: "ADDED", object: pod("copy", "10.0.1.1", { app: "x" }) }])).toThrow(/Duplicate value/);
    expect(engine.apply([{ type: "ADDED", object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "ops" } } }]).update).toBe("incremental");
    expect([engine.policyName(0), engine.policyName(1)]).toEqual(["shop/db", "shop/zz"]);
  });

  it("an engine that explained before admin tiers arrived explains them, Pass rules included", () => {
    const engine = compileSync(clusterFromObjects(shop()).cluster);
    expect(engine.explain("10.0.1.1", "10.0.2.1", "TCP", 5432).ingress).toMatchObject({ kind: "allowed" });
    const pass = {
      apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name: "pass-shop" },
      spec: { priority: 1, subject: { namespaces: {} }, ingress: [{ action: "Pass", from: [{ namespaces: {} }] }] },
    };
    expect(engine.apply([{ type: "ADDED", object: pass }]).update).toBe("incremental");
    expect(engine.explain("10.0.1.1", "10.0.2.1", "TCP", 5432).ingress).toMatchObject({ kind: "allowed", passed: { policy: "pass-shop", rule: 0 } });
  });

  it("admin policies added, changed and deleted compile incrementally, for the identities their subjects hold", () => {
    const anp = (name: string, priority: number, action: string, subject: object) => ({
      apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name },
      spec: { priority, subject, ingress: [{ action, from: [{ namespaces: {} }] }] },
    });
    const engine = compileSync(clusterFromObjects(shop()).cluster);
    const apiOnly = { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "api" } } } };
    const dbOnly = { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } } };
    expect(engine.apply([{ type: "ADDED", object: anp("deny-db", 5, "Deny", dbOnly) }]).update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("deny");
    expect(engine.apply([{ type: "MODIFIED", object: anp("deny-db", 5, "Deny", apiOnly) }]).update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow");
    expect(engine.decide("10.0.2.1", "10.0.1.1", "TCP", 80)).toBe("deny");
    expect(engine.apply([{ type: "ADDED", object: anp("allow-api", 1, "Allow", apiOnly) }]).update).toBe("incremental");
    expect(engine.decide("10.0.2.1", "10.0.1.1", "TCP", 80)).toBe("allow");
    expect(engine.apply([{ type: "DELETED", object: anp("allow-api", 1, "Allow", apiOnly) }]).update).toBe("incremental");
    expect(engine.decide("10.0.2.1", "10.0.1.1", "TCP", 80)).toBe("deny");
    expect(engine.apply([{ type: "DELETED", object: anp("deny-db", 5, "Deny", apiOnly) }]).update).toBe("incremental");
    expect(engine.decide("10.0.2.1", "10.0.1.1", "TCP", 80)).toBe("allow");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow");
  });

  it("replace takes a whole new state (manifests read again): only what changed is recompiled", () => {
    const engine = compileSync(clusterFromObjects(shop()).cluster);
    const objects = shop();
    const db = objects[3] as { spec: { ingress: { ports: { port: number }[] }[] } };
    db.spec.ingress[0]!.ports[0]!.port = 6432;
    const r = engine.replace(clusterFromObjects([...objects, pod("api-2", "10.0.1.2", { app: "api" })]).cluster);
    expect([r.update, r.changed]).toEqual(["incremental", 2]);
    expect(engine.decide("10.0.1.2", "10.0.2.1", "TCP", 6432)).toBe("allow");
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("deny");
    expect(engine.replace(clusterFromObjects([...objects, pod("api-2", "10.0.1.2", { app: "api" })]).cluster).update).toBe("none");
    const r2 = engine.replace(clusterFromObjects(objects).cluster);
    expect([r2.update, r2.changed]).toEqual(["addresses", 1]);
    expect(engine.decide("10.0.1.2", "10.0.2.1", "TCP", 6432)).toBe("deny"); // an outside address now: db's policy names pods
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 6432)).toBe("allow");
  });

  it("nodes change the tables only through admin policies' nodes peers: live compiles go on without one", () => {
    const node = (name: string, ip: string) => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { role: "worker" } }, status: { addresses: [{ type: "InternalIP", address: ip }] } });
    const engine = compileSync(clusterFromObjects(shop()).cluster);
    expect(engine.apply([{ type: "ADDED", object: node("n1", "192.168.0.1") }]).update).toBe("incremental");
    const toNodes = {
      apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name: "no-nodes" },
      spec: { priority: 3, subject: { namespaces: {} }, egress: [{ action: "Deny", to: [{ nodes: { matchLabels: { role: "worker" } } }] }] },
    };
    expect(engine.apply([{ type: "ADDED", object: toNodes }]).update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "192.168.0.1", "TCP", 10250)).toBe("deny");
    expect(engine.decide("10.0.1.1", "192.168.0.2", "TCP", 10250)).toBe("allow");
    expect(engine.apply([{ type: "ADDED", object: node("n2", "192.168.0.2") }]).update).toBe("recompiled");
    expect(engine.decide("10.0.1.1", "192.168.0.2", "TCP", 10250)).toBe("deny");
    expect(engine.apply([{ type: "DELETED", object: toNodes }]).update).toBe("incremental");
    expect(engine.apply([{ type: "DELETED", object: node("n1", "192.168.0.1") }]).update).toBe("incremental");
    expect(engine.decide("10.0.1.1", "192.168.0.1", "TCP", 10250)).toBe("allow");
  });

  it("a refused address install changes nothing: the next pod edits start from the installed tables", () => {
    // Room in the tables (at most half full), so that pod edits edit them rather than build them again.
    const web = Array.from({ length: 10 }, (_, i) => pod(`web-${i}`, `10.0.3.${i + 1}`, { app: "web" }));
    const engine = compileSync(clusterFromObjects([...shop(), ...web]).cluster);
    engine.apply([{ type: "ADDED", object: pod("api-2", "10.0.1.2", { app: "api" }) }]); // the engine's mirror of the tables exists from here
    const inside = engine as unknown as { core: object };
    const real = inside.core;
    inside.core = { ...real, updateAddresses: () => 8 }; // the core refuses the next tables
    expect(() => engine.apply([{ type: "ADDED", object: pod("api-3", "10.0.1.3", { app: "api" }) }])).toThrow(/pod address table invalid/);
    inside.core = real;
    expect(engine.decide("10.0.1.3", "10.0.2.1", "TCP", 5432)).toBe("deny");
    expect(engine.apply([{ type: "ADDED", object: pod("api-4", "10.0.1.4", { app: "api" }) }]).update).toBe("addresses");
    expect(["10.0.1.2", "10.0.1.3", "10.0.1.4"].map((a) => engine.decide(a, "10.0.2.1", "TCP", 5432))).toEqual(["allow", "deny", "allow"]);
    expect(loadBundleSync(engine.bundle()).decide("10.0.1.3", "10.0.2.1", "TCP", 5432)).toBe("deny");
  });

  it("decideParallel's threads take the tables of every apply at their next batch", async () => {
    const engine = compileSync(clusterFromObjects(shop()).cluster);
    const batch = new FlowBatch(20000);
    for (let i = 0; i < 20000; i++) batch.push(toIPAddress(i % 2 ? "10.0.1.9" : "10.0.1.1"), toIPAddress("10.0.2.1"), "TCP", 5432);
    const before = await engine.decideParallel(batch, { threads: 2 });
    expect([before[0], before[1]]).toEqual([1, 0]); // 10.0.1.9 is no pod yet
    for (const [type, verdict] of [["ADDED", 1], ["DELETED", 0], ["ADDED", 1]] as const) {
      engine.apply([{ type, object: pod("api-2", "10.0.1.9", { app: "api" }) }]);
      expect((await engine.decideParallel(batch, { threads: 2 }))[1]).toBe(verdict);
    }
    // A recompile too (a new namespace), then the threads again.
    engine.apply([{ type: "ADDED", object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "ops" } } }]);
    expect(await engine.decideParallel(batch, { threads: 2 })).toEqual(engine.decideBatch(batch));
    await engine.close();
  });

  it("a bad object is refused with its kind, name and field, and the engine keeps its tables", () => {
    const engine = compileSync(clusterFromObjects(shop()).cluster);
    const bad = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "bad", namespace: "shop" }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] } };
    expect(() => engine.apply([{ type: "ADDED", object: pod("api-3", "10.0.1.11", { app: "api" }) }, { type: "ADDED", object: bad }])).toThrow(/NetworkPolicy shop\/bad: spec\.ingress\[0\]\.ports\[0\]\.port/);
    expect(engine.decide("10.0.1.11", "10.0.2.1", "TCP", 5432)).toBe("deny"); // api-3 was not added: an outside address
    expect(engine.decide("10.0.1.1", "10.0.2.1", "TCP", 5432)).toBe("allow");
    expect(() => engine.apply([{ type: "ADDED", object: pod("copy", "10.0.1.1", { app: "api" }) }])).toThrow(/Duplicate value: "10\.0\.1\.1": address already owned by running Pod shop\/api-1/);
    expect(() => engine.apply([{ type: "UPDATED" as never, object: bad }])).toThrow(/ADDED, MODIFIED or DELETED/);
    expect(() => loadBundleSync(engine.bundle()).apply([])).toThrow(/loaded from a bundle/);
  });
});

function pod(name: string, ip: string, labels: Record<string, string>) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "shop", labels }, spec: { containers: [{ name: "c" }] }, status: { phase: "Running", podIP: ip } };
}

function shop(): object[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
    pod("api-1", "10.0.1.1", { app: "api" }),
    pod("db-0", "10.0.2.1", { app: "db" }),
    {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "db", namespace: "shop" },
      spec: { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "api" } } }], ports: [{ port: 5432 }] }] },
    },
  ];
}
