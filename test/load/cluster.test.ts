/**
 * From objects to one cluster state: duplicate objects (D10), the namespace defaults and
 * implicit namespaces, and which pod owns which address (§3: podIP over podIPs; finished and
 * hostNetwork pods own none; two running pods cannot share one).
 */
import { describe, expect, it } from "vitest";
import { type Diagnostic, PolicyError } from "../../src/load/diagnostics.js";
import { type Loaded, loadCluster, type Source } from "../../src/model/load.js";

function load(sources: string | Source[]): Loaded {
  return loadCluster(typeof sources === "string" ? [{ file: "in.yaml", text: sources }] : sources, { strict: false });
}

function errors(sources: string | Source[]): Diagnostic[] {
  try {
    load(sources);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).diagnostics.filter((d) => d.severity === "error");
  }
  throw new Error("expected the input to be rejected");
}

const policy = (name: string, namespace?: string) =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ""}spec: {}\n`;

const namespace = (name: string, labels = "") => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labels}`;

const pod = (name: string, status: string, spec = "") =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: prod}\n${spec}status:\n${status}`;

const ips = (loaded: Loaded) => Object.fromEntries(loaded.cluster.pods.map((p) => [p.name, p.ips.map((ip) => ip.text)]));

describe("duplicate objects (D10)", () => {
  it("the same kind, namespace and name twice is an error at the second, naming the first", () => {
    const found = errors([
      { file: "a.yaml", text: `${namespace("prod")}---\n${policy("web", "prod")}` },
      { file: "b.yaml", text: `# again\n${policy("web", "prod")}` },
    ]);
    expect(found).toEqual([expect.objectContaining({ file: "b.yaml", line: 2, object: "NetworkPolicy prod/web" })]);
    expect(found[0]!.message).toContain("a.yaml:6");
  });

  it("duplicates within one file and within a List are found too", () => {
    const list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: web-0, namespace: prod}\n";
    const found = errors(`${pod("web-0", "  phase: Pending\n")}---\n${list}`);
    expect(found).toEqual([expect.objectContaining({ file: "in.yaml", object: "Pod prod/web-0", line: 10, column: 3 })]);
    expect(found[0]!.message).toContain("in.yaml:1");
  });

  it("a namespace left out means default, so it collides with an explicit default", () => {
    const found = errors(`${policy("web")}---\n${policy("web", "default")}`);
    expect(found).toEqual([expect.objectContaining({ object: "NetworkPolicy default/web" })]);
  });

  it("two Namespaces of the same name collide", () => {
    expect(errors(`${namespace("prod")}---\n${namespace("prod")}`)).toEqual([expect.objectContaining({ object: "Namespace prod", line: 6 })]);
  });

  it("the same name in another namespace, or for another kind, is fine", () => {
    const text = [policy("web", "prod"), policy("web", "dev"), namespace("web"), pod("web", "  phase: Pending\n")].join("---\n");
    const { cluster } = load(text);
    expect(cluster.policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(["prod/web", "dev/web"]);
    expect(cluster.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(["prod/web"]);
  });
});

describe("namespaces", () => {
  it("metadata.namespace absent means default, for Pods and NetworkPolicies", () => {
    const text = `${policy("web")}---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n`;
    const { cluster } = load(text);
    expect(cluster.policies[0]!.namespace).toBe("default");
    expect(cluster.pods[0]!.namespace).toBe("default");
  });

  it("a namespace that is referenced but not given is created with only its name label, with one warning", () => {
    const text = [policy("a", "prod"), policy("b", "prod"), pod("p", "  phase: Pending\n"), namespace("dev")].join("---\n");
    const { cluster, warnings } = load(text);
    expect(cluster.namespaces).toEqual([
      { name: "dev", labels: { "kubernetes.io/metadata.name": "dev" }, implicit: false },
      { name: "prod", labels: { "kubernetes.io/metadata.name": "prod" }, implicit: true },
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ severity: "warning", file: "in.yaml", object: "NetworkPolicy prod/a", path: "metadata.namespace" }),
    ]);
    expect(warnings[0]!.message).toContain('"prod"');
  });

  it("the implicit default namespace is announced too", () => {
    const { cluster, warnings } = load(policy("web"));
    expect(cluster.namespaces).toEqual([{ name: "default", labels: { "kubernetes.io/metadata.name": "default" }, implicit: true }]);
    expect(warnings.map((w) => [w.severity, w.path])).toEqual([["warning", "metadata.namespace"]]);
  });

  it("a Namespace given after the objects that use it is not implicit", () => {
    const { cluster, warnings } = load(`${policy("web", "prod")}---\n${namespace("prod")}`);
    expect(cluster.namespaces.map((n) => n.implicit)).toEqual([false]);
    expect(warnings).toEqual([]);
  });

  it("Namespace objects always carry kubernetes.io/metadata.name=<name>, overriding a wrong value", () => {
    const text = [
      namespace("prod", "  labels: {team: shop, kubernetes.io/metadata.name: staging}\n"),
      namespace("dev"),
    ].join("---\n");
    const { cluster } = load(text);
    expect(cluster.namespaces).toEqual([
      { name: "dev", labels: { "kubernetes.io/metadata.name": "dev" }, implicit: false },
      { name: "prod", labels: { team: "shop", "kubernetes.io/metadata.name": "prod" }, implicit: false },
    ]);
  });
});

describe("pod addresses", () => {
  it("podIPs is used when podIP is absent, and both families are kept", () => {
    const loaded = load(pod("p", '  phase: Running\n  podIPs: [{ip: 10.0.0.1}, {ip: "fd00::1"}]\n'));
    expect(ips(loaded)).toEqual({ p: ["10.0.0.1", "fd00::1"] });
  });

  it("podIP alone is the pod's address", () => {
    expect(ips(load(pod("p", "  phase: Running\n  podIP: 10.0.0.1\n")))).toEqual({ p: ["10.0.0.1"] });
  });

  it("podIP wins when podIPs disagrees", () => {
    const loaded = load(pod("p", '  phase: Running\n  podIP: 10.0.0.1\n  podIPs: [{ip: 10.0.0.9}, {ip: "fd00::9"}]\n'));
    expect(ips(loaded)).toEqual({ p: ["10.0.0.1"] });
  });

  it.each(["Succeeded", "Failed"])("a %s pod owns no address, and another pod may hold its old one", (phase) => {
    const text = `${pod("done", `  phase: ${phase}\n  podIP: 10.0.0.1\n`)}---\n${pod("live", "  phase: Running\n  podIP: 10.0.0.1\n")}`;
    expect(ips(load(text))).toEqual({ done: [], live: ["10.0.0.1"] });
  });

  it.each(["Running", "Pending", "Unknown"])("a %s pod owns its address", (phase) => {
    expect(ips(load(pod("p", `  phase: ${phase}\n  podIP: 10.0.0.1\n`)))).toEqual({ p: ["10.0.0.1"] });
  });

  it("a hostNetwork pod owns no address, so it may share the node's with a pod", () => {
    const text = `${pod("exporter", "  phase: Running\n  podIP: 192.168.0.5\n", "spec: {hostNetwork: true}\n")}---\n${pod("p", "  phase: Running\n  podIP: 192.168.0.5\n")}`;
    const { cluster } = load(text);
    expect(cluster.pods.map((p) => [p.name, p.hostNetwork, p.ips.map((ip) => ip.text)])).toEqual([
      ["exporter", true, []],
      ["p", false, ["192.168.0.5"]],
    ]);
  });

  it("two running pods with the same address are an error naming both", () => {
    const text = `${pod("a", "  phase: Running\n  podIP: 10.0.0.1\n")}---\n${pod("b", "  phase: Running\n  podIP: 10.0.0.1\n")}`;
    const found = errors(text);
    expect(found).toEqual([expect.objectContaining({ file: "in.yaml", line: 12, object: "Pod prod/b", path: "status.podIPs" })]);
    expect(found[0]!.message).toContain("10.0.0.1");
    expect(found[0]!.message).toContain("prod/a");
  });

  it("the same address written two ways is still the same address", () => {
    const text = `${pod("a", '  podIPs: [{ip: 10.0.0.1}, {ip: "fd00:0:0::1"}]\n')}---\n${pod("b", '  podIP: "fd00::1"\n')}`;
    expect(errors(text)).toEqual([expect.objectContaining({ object: "Pod prod/b", path: "status.podIPs" })]);
  });

  it("pods in different files sharing an address name the other file", () => {
    const found = errors([
      { file: "a.yaml", text: pod("a", "  podIP: 10.0.0.1\n") },
      { file: "b.yaml", text: pod("b", "  podIP: 10.0.0.1\n") },
    ]);
    expect(found).toEqual([expect.objectContaining({ file: "b.yaml", object: "Pod prod/b" })]);
    expect(found[0]!.message).toContain("a.yaml");
  });
});

describe("positions", () => {
  it("line and column point at the offending node in a later document and a later file", () => {
    const second = `${namespace("prod")}---\napiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  ingress:
  - ports:
    - protocol: tcp
      port: 80
`;
    const found = errors([
      { file: "first.yaml", text: namespace("dev") },
      { file: "second.yaml", text: second },
    ]);
    expect(found).toEqual([
      expect.objectContaining({ file: "second.yaml", line: 12, column: 17, object: "NetworkPolicy prod/web", path: "spec.ingress[0].ports[0].protocol" }),
    ]);
  });

  it("all errors of all objects are reported together", () => {
    const text = `${policy("a", "prod").replace("spec: {}", "spec: {bogus: 1}")}---\n${pod("b", "  podIP: not-an-ip\n")}---\n${namespace("Bad_Name")}`;
    const found = errors(text);
    expect(found.map((d) => [d.object, d.path, d.line])).toEqual([
      ["NetworkPolicy prod/a", "spec.bogus", 6],
      ["Pod prod/b", "status.podIP", 12],
      ["Namespace Bad_Name", "metadata.name", 17],
    ]);
  });
});
