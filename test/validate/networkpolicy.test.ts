import { describe, it, expect } from "vitest";
import type {
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  ObjectMeta,
} from "../../src/load/api.js";
import { renderPath } from "../../src/load/path.js";
import { validateObject } from "../../src/validate/index.js";

function np(spec?: NetworkPolicySpec, metadata: ObjectMeta = { name: "p", namespace: "default" }): NetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata, ...(spec ? { spec } : {}) };
}

/** Rendered `path: message` of the issues of one severity. */
function found(obj: NetworkPolicy, severity: "error" | "warning" = "error", strict = false): string[] {
  return validateObject(obj, { strict })
    .filter((i) => i.severity === severity)
    .map((i) => `${renderPath(i.path)}: ${i.message}`);
}

const ingressPort = (port: NetworkPolicyPort) => np({ ingress: [{ ports: [port] }] });
const ingressPeer = (peer: NetworkPolicyPeer) => np({ ingress: [{ from: [peer] }] });
const ipBlock = (cidr: string | undefined, except?: string[]) =>
  np({ egress: [{ to: [{ ipBlock: { ...(cidr !== undefined ? { cidr } : {}), ...(except ? { except } : {}) } }] }] });

describe("ports", () => {
  it.each(["", "tcp", "ICMP", "ANY", "udp"])("P1: protocol %j is unsupported", (protocol) => {
    expect(found(ingressPort({ protocol }))).toEqual([
      `spec.ingress[0].ports[0].protocol: Unsupported value: "${protocol}": supported values: "TCP", "UDP", "SCTP"`,
    ]);
  });

  it.each([0, -1, 65536])("P2: numeric port %d out of range", (port) => {
    expect(found(ingressPort({ port }))).toEqual([
      `spec.ingress[0].ports[0].port: Invalid value: ${port}: must be between 1 and 65535, inclusive`,
    ]);
  });

  it.each([
    ["80", "must contain at least one letter (a-z)"],
    ["HTTP", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"],
    ["", "must contain only alpha-numeric characters"],
    ["a".repeat(16), "must be no more than 15 bytes"],
    ["a--b", "must not contain consecutive hyphens"],
    ["web-", "must not begin or end with a hyphen"],
  ])("P3: named port %j", (port, phrase) => {
    const out = found(ingressPort({ port }));
    expect(out.some((m) => m.startsWith(`spec.ingress[0].ports[0].port: Invalid value: "${port}": ${phrase}`))).toBe(true);
  });

  it("P3: each failed rule is its own error", () => {
    expect(found(ingressPort({ port: "-" }))).toHaveLength(2);
  });

  it("P4: endPort below port", () => {
    expect(found(ingressPort({ port: 80, endPort: 79 }))).toEqual([
      "spec.ingress[0].ports[0].endPort: Invalid value: 79: must be greater than or equal to `port`",
    ]);
  });

  it("P4: endPort out of range", () => {
    expect(found(ingressPort({ port: 80, endPort: 65536 }))).toEqual([
      "spec.ingress[0].ports[0].endPort: Invalid value: 65536: must be between 1 and 65535, inclusive",
    ]);
  });

  it("P4: port and endPort both bad are both reported", () => {
    expect(found(ingressPort({ port: 0, endPort: -5 }))).toHaveLength(3);
  });

  it("P5: endPort with a named port", () => {
    expect(found(ingressPort({ port: "http", endPort: 90 }))).toEqual([
      "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
    ]);
  });

  it("P6: endPort without port", () => {
    expect(found(np({ egress: [{ ports: [{ protocol: "UDP" }, { endPort: 90 }] }] }))).toEqual([
      "spec.egress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is not specified",
    ]);
  });

  it("P7 and §10: protocol-only, empty, equal and full-range ports are valid", () => {
    const ports: NetworkPolicyPort[] = [
      {},
      { protocol: "SCTP" },
      { port: 80, endPort: 80 },
      { port: 1, endPort: 65535 },
      { protocol: "UDP", port: "dns" },
      { port: "http" },
    ];
    expect(found(np({ ingress: [{ ports }], egress: [{ ports }] }))).toEqual([]);
  });
});

describe("peers", () => {
  it("E1: an empty peer", () => {
    expect(found(ingressPeer({}))).toEqual(["spec.ingress[0].from[0]: Required value: must specify a peer"]);
    expect(found(np({ egress: [{ to: [{ podSelector: {} }, {}] }] }))).toEqual([
      "spec.egress[0].to[1]: Required value: must specify a peer",
    ]);
  });

  it.each([
    { ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} },
    { ipBlock: { cidr: "10.0.0.0/8" }, namespaceSelector: {} },
    { ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {}, namespaceSelector: {} },
  ])("E2: ipBlock with a selector %#", (peer) => {
    expect(found(ingressPeer(peer))).toEqual([
      "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer",
    ]);
  });

  it("E3: podSelector with namespaceSelector is valid", () => {
    expect(found(ingressPeer({ podSelector: { matchLabels: { app: "a" } }, namespaceSelector: {} }))).toEqual([]);
  });
});

describe("policyTypes", () => {
  it("T1: more than two entries, not examined one by one", () => {
    expect(found(np({ policyTypes: ["Ingress", "Egress", "bogus"] }))).toEqual([
      'spec.policyTypes: Invalid value: ["Ingress","Egress","bogus"]: may not specify more than two policyTypes',
    ]);
  });

  it.each(["ingress", "", "Both", "EGRESS"])("T2: %j is unsupported", (t) => {
    expect(found(np({ policyTypes: ["Egress", t] }))).toEqual([
      `spec.policyTypes[1]: Unsupported value: "${t}": supported values: "Ingress", "Egress"`,
    ]);
  });

  it("T3: duplicates and an empty list are accepted", () => {
    expect(found(np({ policyTypes: ["Ingress", "Ingress"] }))).toEqual([]);
    expect(found(np({ policyTypes: [] }))).toEqual([]);
  });
});

describe("collects every error of an object", () => {
  it("reports errors from several places together", () => {
    const out = found(
      np({ ingress: [{ ports: [{ port: 0 }] }], policyTypes: ["ingress"] }, { name: "Bad", namespace: "default" }),
    );
    expect(out.map((m) => m.split(":")[0])).toEqual(["metadata.name", "spec.ingress[0].ports[0].port", "spec.policyTypes[0]"]);
  });
});

describe("accepted but semantically odd (§10)", () => {
  const meta = { name: "p", namespace: "default" };
  const portRanges = [{ port: 5, endPort: 5 }, { port: 1, endPort: 65535 }, { protocol: "UDP" }];
  const accepted: [string, NetworkPolicy][] = [
    ["no spec at all", np()],
    ["ingress: [{}]", np({ ingress: [{}] })],
    ["ingress: [] and egress: []", np({ ingress: [], egress: [], policyTypes: ["Ingress", "Egress"] })],
    ["from: [], to: [], ports: []", np({ ingress: [{ from: [], ports: [] }], egress: [{ to: [] }] })],
    [
      "policyTypes [Egress] with ingress rules",
      np({ policyTypes: ["Egress"], ingress: [{ from: [{ podSelector: {} }] }] }),
    ],
    ["policyTypes [Ingress] with egress rules", np({ policyTypes: ["Ingress"], egress: [{}] })],
    ["only egress rules, no policyTypes", np({ egress: [{ to: [{ namespaceSelector: {} }] }] })],
    ["duplicate policyTypes", np({ policyTypes: ["Egress", "Egress"] })],
    ["duplicate and overlapping excepts", ipBlock("10.0.0.0/8", ["10.1.0.0/16", "10.1.0.0/16", "10.1.2.0/24"])],
    [
      "duplicate matchExpressions values",
      np({ podSelector: { matchExpressions: [{ key: "a", operator: "NotIn", values: ["x", "x"] }] } }),
    ],
    ["endPort equal to port, full range, protocol without port", np({ ingress: [{ ports: portRanges }] })],
    [
      "named port in egress to an ipBlock",
      np({ egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: "dns", protocol: "UDP" }] }] }),
    ],
    [
      "0.0.0.0/0 and ::/0",
      np({ egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0", except: ["::1/128"] } }] }] }),
    ],
    ["empty label value", np({ podSelector: { matchLabels: { app: "" } } }, { ...meta, labels: { app: "" } })],
    [
      "selecting on kubernetes.io/metadata.name",
      np({ ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "prod" } } }] }] }),
    ],
    [
      "uppercase annotation prefix and label name part",
      np(undefined, { ...meta, annotations: { "Example.COM/x": "" }, labels: { "app.kubernetes.io/Name": "Web" } }),
    ],
    ["a 253-byte name without dots", np(undefined, { ...meta, name: "x".repeat(253) })],
  ];

  it.each(accepted)("%s", (_, obj) => {
    expect(found(obj, "error", true)).toEqual([]);
    expect(found(obj, "warning", false)).toEqual([]);
  });
});
