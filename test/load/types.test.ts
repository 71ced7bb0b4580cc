/**
 * D7–D9: YAML 1.1 scalars, Go's strict JSON types, null as "absent", and loud rejection of
 * unknown and duplicate fields (a `form:` typo must never become an allow-all rule).
 */
import { describe, expect, it } from "vitest";
import { errors, load } from "./helpers.js";


const namespace = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n${labels}`;

/** A NetworkPolicy prod/web whose spec continues with `rest` (indented two spaces). */
const policy = (rest: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: prod
spec:
${rest}`;

const pod = (rest: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: prod
${rest}`;

describe("YAML 1.1 scalars (D7)", () => {
  it.each(["yes", "no", "on", "off", "true", "False", "Y"])("an unquoted `%s` label value is a boolean: rejected at metadata.labels", (word) => {
    const found = errors(namespace(`    enabled: ${word}\n`), "ns.yaml");
    expect(found).toEqual([expect.objectContaining({ file: "ns.yaml", line: 6, object: "Namespace prod", path: "metadata.labels" })]);
    expect(found[0]!.message).toContain("boolean");
  });

  it("quoted, the same words are strings", () => {
    const { cluster } = load(namespace(`    a: "yes"\n    b: 'on'\n`));
    expect(cluster.namespaces[0]!.labels).toMatchObject({ a: "yes", b: "on" });
  });

  it.each([
    ["tier: 1", "number"],
    ["version: 1.0", "number"],
    ["ratio: 0.5", "number"],
    ["mode: 0755", "number"],
  ])("an unquoted number label value `%s` is rejected", (entry, type) => {
    const found = errors(namespace(`    ${entry}\n`));
    expect(found).toEqual([expect.objectContaining({ object: "Namespace prod", path: "metadata.labels", line: 6 })]);
    expect(found[0]!.message).toContain(type);
  });

  it("a label value `~` or empty is null, which a string map decodes as the empty string", () => {
    const { cluster } = load(namespace("    a: ~\n    b:\n    c: null\n"));
    expect(cluster.namespaces[0]!.labels).toMatchObject({ a: "", b: "", c: "" });
  });

  it("matchLabels values follow the same rules", () => {
    const found = errors(policy("  podSelector:\n    matchLabels: {enabled: yes}\n"));
    expect(found).toEqual([expect.objectContaining({ object: "NetworkPolicy prod/web", path: "spec.podSelector.matchLabels", line: 8 })]);
  });

  it("anchors, aliases and merge keys work", () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
    namespace: prod
    labels: &base {app: shop, tier: web}
  spec:
    containers:
    - name: c
      ports:
      - &http {name: http, containerPort: 8080}
  status: {phase: Running, podIP: 10.0.0.1}
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
    namespace: prod
    labels:
      <<: *base
      tier: db
  spec:
    containers:
    - name: c
      ports: [*http, {name: pg, containerPort: 5432}]
  status: {phase: Running, podIP: 10.0.0.2}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: web, namespace: prod}
  spec:
    podSelector: {matchLabels: *base}
`;
    const { cluster } = load(text);
    const [a, b] = cluster.pods;
    expect(a!.labels).toEqual({ app: "shop", tier: "web" });
    expect(b!.labels).toEqual({ app: "shop", tier: "db" });
    expect(b!.ports.map((p) => [p.name, p.containerPort])).toEqual([["http", 8080], ["pg", 5432]]);
    expect(cluster.policies[0]!.podSelector.matchLabels).toEqual({ app: "shop", tier: "web" });
  });

  it("an anchor used many times over is not mistaken for an alias bomb", () => {
    const items = Array.from({ length: 300 }, (_, i) => `- {apiVersion: v1, kind: Pod, metadata: {name: p${i}, namespace: prod, labels: *l}}`);
    const text = `apiVersion: v1\nkind: List\nmetadata: {labels: &l {app: web}}\nitems:\n${items.join("\n")}\n`;
    expect(load(text).cluster.pods).toHaveLength(300);
  });

  it("an alias to an anchor that does not exist is an error, not excessive aliasing", () => {
    const found = errors(namespace("    <<: *nowhere\n"));
    expect(found).toHaveLength(1);
    expect(found[0]!.file).toBe("in.yaml");
    expect(found[0]!.message).not.toMatch(/excessive/i);
    expect(found[0]!.message).toMatch(/alias/i);
  });
});

describe("strict types (D8)", () => {
  it("endPort as a string is rejected", () => {
    const found = errors(policy("  ingress:\n  - ports:\n    - port: 80\n      endPort: \"90\"\n"));
    expect(found).toEqual([
      expect.objectContaining({ file: "in.yaml", line: 10, object: "NetworkPolicy prod/web", path: "spec.ingress[0].ports[0].endPort" }),
    ]);
    expect(found[0]!.message).toContain("string");
  });

  it.each([
    ["a fraction", "80.5"],
    ["beyond int32", "2147483648"],
    ["a string", '"80"'],
  ])("containerPort as %s is rejected", (_what, value) => {
    const found = errors(pod(`spec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: ${value}\n`));
    expect(found).toEqual([
      expect.objectContaining({ line: 10, object: "Pod prod/web-0", path: "spec.containers[0].ports[0].containerPort" }),
    ]);
  });

  it("endPort beyond int32 is rejected", () => {
    expect(errors(policy("  ingress:\n  - ports:\n    - {port: 1, endPort: 4294967296}\n"))).toEqual([
      expect.objectContaining({ path: "spec.ingress[0].ports[0].endPort" }),
    ]);
  });

  it("a numeric port must be an integer", () => {
    expect(errors(policy("  ingress:\n  - ports:\n    - port: 80.5\n"))).toEqual([
      expect.objectContaining({ path: "spec.ingress[0].ports[0].port", line: 9 }),
    ]);
  });

  it('port "80" in quotes is a named port, and not a valid name', () => {
    const found = errors(policy('  ingress:\n  - ports:\n    - port: "80"\n'));
    expect(found).toEqual([expect.objectContaining({ object: "NetworkPolicy prod/web", path: "spec.ingress[0].ports[0].port", line: 9 })]);
    expect(found[0]!.message).toContain('"80"');
  });

  it("an unquoted port is numeric and a word is a named port", () => {
    const { cluster } = load(policy("  ingress:\n  - ports:\n    - port: 80\n    - port: http\n    - {port: 8000, endPort: 8080}\n"));
    expect(cluster.policies[0]!.ingress[0]!.ports).toEqual([
      { protocol: "TCP", port: 80, endPort: undefined },
      { protocol: "TCP", port: "http", endPort: undefined },
      { protocol: "TCP", port: 8000, endPort: 8080 },
    ]);
  });

  it.each([
    ["labels as a list", "metadata:\n  name: x\n  labels: [a]\n", "metadata.labels"],
    ["ingress as a mapping", "spec:\n  ingress: {from: []}\n", "spec.ingress"],
    ["policyTypes as a string", "spec:\n  policyTypes: Ingress\n", "spec.policyTypes"],
    ["from as a mapping", "spec:\n  ingress:\n  - from: {podSelector: {}}\n", "spec.ingress[0].from"],
    ["except as a string", "spec:\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8, except: 10.1.0.0/16}\n", "spec.egress[0].to[0].ipBlock.except"],
    ["matchExpressions values as a string", "spec:\n  podSelector:\n    matchExpressions: [{key: a, operator: In, values: x}]\n", "spec.podSelector.matchExpressions[0].values"],
    ["podSelector as a string", "spec:\n  podSelector: all\n", "spec.podSelector"],
    ["a cidr as a number", "spec:\n  egress:\n  - to:\n    - ipBlock: {cidr: 10}\n", "spec.egress[0].to[0].ipBlock.cidr"],
  ])("%s is a type error at its path", (_what, body, path) => {
    const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${body.startsWith("metadata") ? "" : "metadata: {name: x, namespace: prod}\n"}${body}`;
    const found = errors(text);
    expect(found).toEqual([expect.objectContaining({ file: "in.yaml", path })]);
    expect(found[0]!.message).toContain("cannot unmarshal");
  });

  it("hostNetwork must be a boolean", () => {
    expect(errors(pod('spec:\n  hostNetwork: "true"\n'))).toEqual([expect.objectContaining({ path: "spec.hostNetwork", line: 7 })]);
  });
});

describe("null means absent (D8)", () => {
  it("null spec, podSelector, from, ports and protocol take their defaults", () => {
    const { cluster } = load(policy("  podSelector: null\n  ingress:\n  - from: ~\n    ports:\n    - {protocol: null, port: 80}\n  - ports: null\n  egress: null\n  policyTypes: ~\n"));
    const np = cluster.policies[0]!;
    expect(np.podSelector).toEqual({ matchLabels: {}, matchExpressions: [] });
    expect(np.policyTypes).toEqual({ ingress: true, egress: false });
    expect(np.ingress).toEqual([
      { peers: [], ports: [{ protocol: "TCP", port: 80, endPort: undefined }] },
      { peers: [], ports: [] },
    ]);
  });

  it("spec: null is a default-deny-ingress policy for every pod", () => {
    const np = load(policy("").replace("spec:\n", "spec: null\n")).cluster.policies[0]!;
    expect(np).toMatchObject({ podSelector: { matchLabels: {}, matchExpressions: [] }, policyTypes: { ingress: true, egress: false }, ingress: [] });
  });

  it("a peer `- podSelector:` with no value is an empty peer, which is rejected", () => {
    const found = errors(policy("  ingress:\n  - from:\n    - podSelector:\n"));
    expect(found).toEqual([expect.objectContaining({ object: "NetworkPolicy prod/web", path: "spec.ingress[0].from[0]" })]);
    expect(found[0]!.message).toContain("must specify a peer");
  });

  it("metadata.namespace: null is the default namespace, and labels: null is no labels", () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ~, labels: null}\n";
    const p = load(text).cluster.pods[0]!;
    expect([p.namespace, p.labels]).toEqual(["default", {}]);
  });
});

describe("unknown and duplicate fields (D9)", () => {
  it("a `form:` typo is an error at spec.ingress[0].form, not an allow-all rule", () => {
    const found = errors(policy("  podSelector: {}\n  ingress:\n  - form:\n    - podSelector: {app: db}\n"), "np.yaml");
    expect(found).toEqual([
      expect.objectContaining({ file: "np.yaml", object: "NetworkPolicy prod/web", path: "spec.ingress[0].form" }),
    ]);
    expect(found[0]!.line).toBeGreaterThanOrEqual(9);
    expect(found[0]!.line).toBeLessThanOrEqual(10);
    expect(found[0]!.message).toContain("unknown field");
  });

  it.each([
    ["a top-level typo", "specs: {}\n", "specs"],
    ["a spec field in the wrong case", "spec:\n  podSelector: {}\n  policytypes: [Egress]\n", "spec.policytypes"],
    ["an ipBlock typo", "spec:\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8, exept: [10.1.0.0/16]}\n", "spec.egress[0].to[0].ipBlock.exept"],
    ["a selector typo", "spec:\n  podSelector:\n    matchLabel: {app: db}\n", "spec.podSelector.matchLabel"],
    ["a port typo", "spec:\n  ingress:\n  - ports:\n    - {protocol: TCP, prot: 80}\n", "spec.ingress[0].ports[0].prot"],
  ])("%s is rejected at its path", (_what, body, path) => {
    const found = errors(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: prod}\n${body}`);
    expect(found).toEqual([expect.objectContaining({ object: "NetworkPolicy prod/web", path })]);
  });

  it("a metadata typo is rejected", () => {
    expect(errors("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  lables: {a: b}\n")).toEqual([
      expect.objectContaining({ object: "Namespace prod", path: "metadata.lables", line: 5 }),
    ]);
  });

  it("the parts of a Pod the tool does not model may hold anything; the parts it reads are strict", () => {
    const ok = pod("spec:\n  restartPolicy: Always\n  containers:\n  - name: c\n    image: nginx\n    resources: {limits: {cpu: 1}}\n    ports: [{containerPort: 80}]\nstatus:\n  phase: Running\n  conditions: [{type: Ready}]\n  podIP: 10.0.0.1\n");
    expect(load(ok).cluster.pods).toHaveLength(1);
    expect(errors(pod("spec:\n  containers:\n  - name: c\n    ports: [{containerport: 80}]\n"))).toEqual([
      expect.objectContaining({ path: "spec.containers[0].ports[0].containerport" }),
    ]);
    expect(errors(pod("status:\n  podIPs: [{ip: 10.0.0.1, address: x}]\n"))).toEqual([
      expect.objectContaining({ path: "status.podIPs[0].address" }),
    ]);
  });

  it("a duplicate key in YAML is rejected at its line, naming the path", () => {
    const found = errors(policy("  podSelector: {}\n  ingress: []\n  ingress:\n  - {}\n"), "np.yaml");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: "np.yaml", line: 9, column: 3, path: "spec.ingress" });
    expect(found[0]!.message).toContain("duplicate field");
  });

  it("a duplicate key inside a list item names the item's path", () => {
    const found = errors(policy("  ingress:\n  - ports:\n    - port: 80\n      port: 443\n"));
    expect(found).toEqual([expect.objectContaining({ line: 10, path: "spec.ingress[0].ports[0].port" })]);
  });

  it("a duplicate label key is rejected", () => {
    const found = errors(namespace("    app: a\n    app: b\n"));
    expect(found).toEqual([expect.objectContaining({ line: 7, path: "metadata.labels.app" })]);
    expect(found[0]!.message).toContain("duplicate");
  });

  it("a duplicate key in JSON is rejected at its line, though JSON.parse would keep the last", () => {
    const text = `{"apiVersion": "v1", "kind": "Namespace",\n "metadata": {"name": "prod",\n  "name": "dev"}}\n`;
    const found = errors(text, "ns.json");
    expect(found).toEqual([expect.objectContaining({ file: "ns.json", line: 3, column: 3, path: "metadata.name" })]);
  });
});
