/**
 * D4–D6, D11: apiVersion and kind. Required, case-sensitive, only the served pairs; Lists and
 * typed lists expanded; kinds netpol-wasm does not model skipped loudly, near-misses rejected.
 */
import { describe, expect, it } from "vitest";
import { errors, load } from "./helpers.js";


const policy = (apiVersion: string, kind = "NetworkPolicy") => `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: web
  namespace: prod
spec:
  podSelector: {}
`;

describe("apiVersion and kind are required (D4)", () => {
  it("a missing kind is rejected at path kind", () => {
    const found = errors("apiVersion: v1\nmetadata: {name: prod}\n");
    expect(found).toEqual([expect.objectContaining({ file: "in.yaml", line: 1, path: "kind" })]);
    expect(found[0]!.object).toContain("prod");
    expect(found[0]!.message).toContain("Kind' is missing");
  });

  it("a missing apiVersion is rejected at path apiVersion", () => {
    const found = errors("kind: Namespace\nmetadata: {name: prod}\n");
    expect(found).toEqual([expect.objectContaining({ file: "in.yaml", path: "apiVersion" })]);
    expect(found[0]!.message).toContain("apiVersion not set");
  });

  it.each([
    ["an empty kind", 'apiVersion: v1\nkind: ""\nmetadata: {name: prod}\n', "kind"],
    ["a null kind", "apiVersion: v1\nkind: ~\nmetadata: {name: prod}\n", "kind"],
    ["an empty apiVersion", 'apiVersion: ""\nkind: Namespace\nmetadata: {name: prod}\n', "apiVersion"],
  ])("%s counts as missing", (_what, text, path) => {
    expect(errors(text)).toEqual([expect.objectContaining({ path })]);
  });

  it("kind is case-sensitive", () => {
    for (const kind of ["networkpolicy", "NETWORKPOLICY", "Networkpolicy"]) {
      const found = errors(policy("networking.k8s.io/v1", kind));
      expect(found).toEqual([expect.objectContaining({ file: "in.yaml", line: 2, path: "kind", object: `${kind} prod/web` })]);
      expect(found[0]!.message).toContain(`no matches for kind "${kind}"`);
    }
    expect(errors("apiVersion: v1\nkind: namespace\nmetadata: {name: prod}\n")).toEqual([expect.objectContaining({ path: "kind" })]);
  });
});

describe("only served apiVersion/kind pairs (D5)", () => {
  it.each(["extensions/v1beta1", "networking.k8s.io/v1beta1", "v1", "networking.k8s.io/v2"])(
    "NetworkPolicy in %s is rejected, naming the object",
    (apiVersion) => {
      const found = errors(policy(apiVersion));
      expect(found).toEqual([
        expect.objectContaining({ file: "in.yaml", line: 2, object: "NetworkPolicy prod/web", path: "kind" }),
      ]);
      expect(found[0]!.message).toContain(`no matches for kind "NetworkPolicy" in version "${apiVersion}"`);
    },
  );

  it("a Pod with apiVersion apps/v1 is rejected", () => {
    const found = errors("apiVersion: apps/v1\nkind: Pod\nmetadata: {name: web, namespace: prod}\n");
    expect(found).toEqual([expect.objectContaining({ object: "Pod prod/web", path: "kind" })]);
    expect(found[0]!.message).toContain('no matches for kind "Pod" in version "apps/v1"');
  });

  it("a Namespace in networking.k8s.io/v1 is rejected", () => {
    expect(errors("apiVersion: networking.k8s.io/v1\nkind: Namespace\nmetadata: {name: prod}\n")).toEqual([
      expect.objectContaining({ object: "Namespace prod", path: "kind" }),
    ]);
  });

  it("the other documents are still processed and their errors reported too", () => {
    const text = `${policy("extensions/v1beta1")}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: dev, lables: {}}\n`;
    const found = errors(text);
    expect(found.map((d) => d.path)).toEqual(["kind", "metadata.lables"]);
  });
});

describe("Lists (D6)", () => {
  it("`kind: List` is expanded into its items", () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: prod}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: web, namespace: prod}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-0, namespace: prod}
`;
    const { cluster, warnings } = load(text);
    expect(cluster.namespaces.map((n) => n.name)).toEqual(["prod"]);
    expect(cluster.policies.map((p) => p.name)).toEqual(["web"]);
    expect(cluster.pods.map((p) => p.name)).toEqual(["web-0"]);
    expect(warnings).toEqual([]);
  });

  it("an error in an item is reported for that item, with a path relative to it, at its line", () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: prod}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-0
    namespace: prod
    labels: {tier: 1}
`;
    expect(errors(text)).toEqual([
      expect.objectContaining({ file: "in.yaml", line: 12, object: "Pod prod/web-0", path: "metadata.labels" }),
    ]);
  });

  it("an item without a name is identified by document and item index", () => {
    const text = `${policy("networking.k8s.io/v1")}---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: prod}
- apiVersion: v1
  kind: Pod
  metadata: {namespace: prod}
`;
    expect(errors(text)).toEqual([
      expect.objectContaining({ file: "in.yaml", object: "Pod (document 2, items[1])", path: "metadata.name", line: 17 }),
    ]);
  });

  it("an item that is not a mapping is rejected for that item", () => {
    const found = errors("apiVersion: v1\nkind: List\nitems:\n- hello\n");
    expect(found).toEqual([expect.objectContaining({ object: "object (document 1, items[0])", line: 4 })]);
    expect(found[0]!.message).toContain("cannot unmarshal string");
  });

  it("items that are not a list are rejected", () => {
    expect(errors("apiVersion: v1\nkind: List\nitems: {a: 1}\n")).toEqual([
      expect.objectContaining({ file: "in.yaml", path: "items" }),
    ]);
  });

  it("an empty or null List is nothing", () => {
    expect(load("apiVersion: v1\nkind: List\nitems: []\n").cluster.namespaces).toEqual([]);
    expect(load("apiVersion: v1\nkind: List\nitems:\n").cluster.namespaces).toEqual([]);
  });

  it("a typed PodList's items need no apiVersion or kind", () => {
    const text = `apiVersion: v1
kind: PodList
items:
- metadata: {name: a, namespace: prod}
  status: {phase: Running, podIP: 10.0.0.1}
- metadata: {name: b, namespace: prod}
  status: {phase: Running, podIP: 10.0.0.2}
`;
    const { cluster } = load(text);
    expect(cluster.pods.map((p) => [p.name, p.ips.map((ip) => ip.text)])).toEqual([
      ["a", ["10.0.0.1"]],
      ["b", ["10.0.0.2"]],
    ]);
  });

  it("a typed NetworkPolicyList's items need no apiVersion or kind", () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
metadata: {resourceVersion: "123"}
items:
- metadata: {name: a, namespace: prod}
  spec: {podSelector: {}}
- metadata: {name: b, namespace: prod}
`;
    expect(load(text).cluster.policies.map((p) => p.name)).toEqual(["a", "b"]);
  });

  it("errors in a typed list's items name the item's kind", () => {
    const text = "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a, namespace: prod}\n  spec: {hostNetwork: yes-please}\n";
    expect(errors(text)).toEqual([expect.objectContaining({ object: "Pod prod/a", path: "spec.hostNetwork", line: 5 })]);
  });

  it("a typed list in the wrong apiVersion rejects its items", () => {
    const text = "apiVersion: extensions/v1beta1\nkind: NetworkPolicyList\nitems:\n- metadata: {name: a, namespace: prod}\n";
    const found = errors(text);
    expect(found).toEqual([expect.objectContaining({ object: "NetworkPolicy prod/a", path: "kind" })]);
    expect(found[0]!.message).toContain("extensions/v1beta1");
  });
});

describe("kinds netpol-wasm does not model (D11)", () => {
  const others = `apiVersion: v1
kind: Service
metadata: {name: a, namespace: prod}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: prod}
data: {anything: goes}
`;

  it("kinds Kubernetes serves are skipped with one notice per kind, with a count", () => {
    const { cluster, warnings } = load(others, "others.yaml");
    expect(cluster).toEqual({ namespaces: [], pods: [], policies: [] });
    const notices = warnings.filter((d) => d.severity === "notice");
    expect(notices).toHaveLength(3);
    expect(warnings.filter((d) => d.severity !== "notice")).toEqual([]);
    const service = notices.find((d) => d.message.includes("Service"));
    expect(service).toMatchObject({ file: "others.yaml" });
    expect(service!.message).toContain("2");
    expect(notices.find((d) => d.message.includes("Deployment"))!.message).toContain("1");
    expect(notices.some((d) => d.message.includes("ConfigMap"))).toBe(true);
  });

  it("their content is not decoded: unknown fields there are not errors", () => {
    const text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, bogus: [1]}\nspec: {replicas: many}\n";
    expect(() => load(text)).not.toThrow();
  });

  it("a kind from an unknown API group is skipped with a warning naming file and kind", () => {
    const text = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n";
    const { cluster, warnings } = load(text, "crd.yaml");
    expect(cluster.namespaces.map((n) => n.name)).toEqual(["prod"]);
    const warned = warnings.filter((d) => d.severity === "warning");
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ file: "crd.yaml" });
    expect(warned[0]!.message).toContain("Widget");
    expect(warned[0]!.message).toContain("example.com/v1");
  });

  it("a near-miss of a modelled kind inside its own group is rejected, never ignored", () => {
    const found = errors(policy("networking.k8s.io/v1", "Networkpolicy"));
    expect(found).toEqual([expect.objectContaining({ file: "in.yaml", path: "kind", object: "Networkpolicy prod/web" })]);
    expect(found[0]!.message).toContain('no matches for kind "Networkpolicy" in version "networking.k8s.io/v1"');
  });

  it("an unknown kind in a group netpol-wasm owns is rejected", () => {
    expect(errors(policy("networking.k8s.io/v1", "NetworkPolicyRule"))).toEqual([expect.objectContaining({ path: "kind" })]);
  });

  it("ClusterNetworkPolicy is read at v1alpha2 only (and validated: a spec is required)", () => {
    const text = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: cnp}\n";
    expect(errors(text)).toEqual([expect.objectContaining({ path: "spec", object: "ClusterNetworkPolicy cnp" })]);
    const old = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: ClusterNetworkPolicy\nmetadata: {name: cnp}\n";
    expect(errors(old)).toEqual([expect.objectContaining({ path: "kind", message: expect.stringMatching(/served as "policy.networking.k8s.io\/v1alpha2"/) })]);
  });

  it("AdminNetworkPolicy is read (and validated: a spec is required); a namespace on it is ignored, not assumed", () => {
    const text = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: anp, namespace: x}\n";
    const errs = errors(text);
    expect(errs).toEqual([expect.objectContaining({ path: "spec", object: "AdminNetworkPolicy anp" })]);
  });
});
