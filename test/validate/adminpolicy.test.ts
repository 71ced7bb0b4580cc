import { describe, it, expect } from "vitest";
import type {
  AdminNetworkPolicy,
  AdminNetworkPolicyPeer,
  AdminNetworkPolicyPort,
  AdminNetworkPolicyRule,
  AdminNetworkPolicySpec,
  ApiObject,
  BaselineAdminNetworkPolicy,
  Node,
  ObjectMeta,
} from "../../src/load/api.js";
import { renderPath } from "../../src/load/path.js";
import { validateObject } from "../../src/validate/index.js";

const API_VERSION = "policy.networking.k8s.io/v1alpha1";
const subject = { namespaces: {} };
const allNamespaces: AdminNetworkPolicyPeer = { namespaces: {} };

type SpecParts = Partial<AdminNetworkPolicySpec>;

/** A valid policy (priority 10, subject: all namespaces) with `spec` overriding; no spec without one. */
function anp(spec?: SpecParts, metadata: ObjectMeta = { name: "anp" }): AdminNetworkPolicy {
  const full = spec && { spec: { priority: 10, subject, ...spec } };
  return { apiVersion: API_VERSION, kind: "AdminNetworkPolicy", metadata, ...full };
}

function banp(spec?: SpecParts, metadata: ObjectMeta = { name: "default" }): BaselineAdminNetworkPolicy {
  const full = spec && { spec: { subject, ...spec } };
  return { apiVersion: API_VERSION, kind: "BaselineAdminNetworkPolicy", metadata, ...full };
}

function node(addresses: { type?: string; address?: string }[] = [], metadata: ObjectMeta = { name: "node-1" }): Node {
  return { apiVersion: "v1", kind: "Node", metadata, status: { addresses } };
}

/** Rendered `path: message` of the issues of one severity; the object's root renders as `<nil>`, as kubectl shows it. */
function found(obj: ApiObject, severity: "error" | "warning" = "error", strict = false): string[] {
  return validateObject(obj, { strict })
    .filter((i) => i.severity === severity)
    .map((i) => `${renderPath(i.path) || "<nil>"}: ${i.message}`);
}

type RuleParts = Partial<AdminNetworkPolicyRule>;
const egressRule = (rule: RuleParts): AdminNetworkPolicyRule => ({ action: "Deny", to: [allNamespaces], ...rule });
const ingressRule = (rule: RuleParts): AdminNetworkPolicyRule => ({ action: "Deny", from: [allNamespaces], ...rule });
const egressPeer = (peer: AdminNetworkPolicyPeer) => anp({ egress: [egressRule({ to: [peer] })] });
const ingressPort = (port: AdminNetworkPolicyPort) => anp({ ingress: [ingressRule({ ports: [port] })] });
const networks = (...cidrs: string[]) => egressPeer({ networks: cidrs });
const repeat = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);

describe("metadata of the cluster-scoped kinds", () => {
  const kinds: [string, (m: ObjectMeta) => ApiObject][] = [
    ["AdminNetworkPolicy", (m) => anp({}, m)],
    ["BaselineAdminNetworkPolicy", (m) => banp({}, m)],
    ["Node", (m) => node([], m)],
  ];

  it.each(kinds)("%s: name required", (_, make) => {
    expect(found(make({}))).toEqual(["metadata.name: Required value: name or generateName is required"]);
  });

  it.each(kinds)("%s: name is a DNS-1123 subdomain", (kind, make) => {
    expect(found(make({ name: "Bad_Name" }))[0]).toContain(
      'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of',
    );
    if (kind !== "BaselineAdminNetworkPolicy") expect(found(make({ name: "tier.allow-dns" }))).toEqual([]);
  });

  it.each(kinds)("%s: a namespace is ignored with a warning, not an error", (kind, make) => {
    const name = kind === "BaselineAdminNetworkPolicy" ? "default" : "x";
    expect(found(make({ name, namespace: "prod" }))).toEqual([]);
    expect(found(make({ name, namespace: "prod" }), "warning")).toEqual([
      `metadata.namespace: "prod" is ignored: ${kind} is cluster-scoped`,
    ]);
    expect(found(make({ name }), "warning")).toEqual([]);
  });

  it.each(kinds)("%s: labels and annotations are validated", (kind, make) => {
    const name = kind === "BaselineAdminNetworkPolicy" ? "default" : "x";
    expect(found(make({ name, labels: { "team/": "x" } }))[0]).toMatch(/^metadata\.labels: Invalid value: "team\/"/);
    expect(found(make({ name, annotations: { "a b": "" } }))[0]).toMatch(/^metadata\.annotations: Invalid value: "a b"/);
    expect(found(make({ name, labels: { team: "net" }, annotations: { "Example.com/note": "free text" } }))).toEqual([]);
  });
});

describe("spec, priority and the baseline's name", () => {
  it("spec is required", () => {
    expect(found(anp())).toEqual(["spec: Required value"]);
    expect(found(banp())).toEqual(["spec: Required value"]);
  });

  it("priority is required", () => {
    expect(found(anp({ priority: undefined }))).toEqual(["spec.priority: Required value"]);
  });

  it.each([
    [-1, "should be greater than or equal to 0"],
    [1001, "should be less than or equal to 1000"],
  ])("priority %d is out of range", (priority, detail) => {
    expect(found(anp({ priority }))).toEqual([`spec.priority: Invalid value: ${priority}: spec.priority in body ${detail}`]);
  });

  it.each([0, 1000])("priority %d is valid", (priority) => {
    expect(found(anp({ priority }))).toEqual([]);
  });

  it("the baseline must be named default", () => {
    expect(found(banp({}, { name: "baseline" }))).toEqual([
      '<nil>: Invalid value: "object": ' +
        'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
    ]);
    expect(found(banp({}))).toEqual([]);
  });
});

describe("subject", () => {
  it("is required", () => {
    expect(found(anp({ subject: undefined }))).toEqual(["spec.subject: Required value"]);
    expect(found(banp({ subject: undefined }))).toEqual(["spec.subject: Required value"]);
  });

  it("needs one field", () => {
    expect(found(anp({ subject: {} }))).toEqual([
      "spec.subject: Invalid value: 0: spec.subject in body should have at least 1 properties",
    ]);
  });

  it("takes only one field", () => {
    const both = { namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } };
    expect(found(anp({ subject: both }))).toEqual(["spec.subject: Too many: 2: must have at most 1 item"]);
  });

  it("pods needs both selectors", () => {
    expect(found(anp({ subject: { pods: {} } }))).toEqual([
      "spec.subject.pods.namespaceSelector: Required value",
      "spec.subject.pods.podSelector: Required value",
    ]);
    expect(found(banp({ subject: { pods: { namespaceSelector: {} } } }))).toEqual(["spec.subject.pods.podSelector: Required value"]);
    expect(found(anp({ subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } } } }))).toEqual([]);
  });

  it("selectors are label selectors", () => {
    const bad = { matchExpressions: [{ key: "app", operator: "in", values: ["a"] }] };
    expect(found(anp({ subject: { namespaces: bad } }))).toEqual([
      'spec.subject.namespaces.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator',
    ]);
    expect(found(anp({ subject: { pods: { namespaceSelector: {}, podSelector: bad } } }))).toEqual([
      'spec.subject.pods.podSelector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator',
    ]);
  });
});

describe("rules", () => {
  it("at most 100 per direction", () => {
    expect(found(anp({ ingress: repeat(101, ingressRule({})) }))).toEqual([
      "spec.ingress: Too many: 101: must have at most 100 items",
    ]);
    expect(found(banp({ egress: repeat(101, egressRule({})) }))).toEqual([
      "spec.egress: Too many: 101: must have at most 100 items",
    ]);
    expect(found(anp({ ingress: repeat(100, ingressRule({})), egress: repeat(100, egressRule({})) }))).toEqual([]);
    expect(found(anp({ ingress: [], egress: [] }))).toEqual([]);
  });

  it("action is required", () => {
    expect(found(anp({ egress: [egressRule({ action: undefined })] }))).toEqual(["spec.egress[0].action: Required value"]);
  });

  it.each(["allow", "", "Accept"])("ANP action %j is unsupported", (action) => {
    expect(found(anp({ ingress: [ingressRule({ action })] }))).toEqual([
      `spec.ingress[0].action: Unsupported value: "${action}": supported values: "Allow", "Deny", "Pass"`,
    ]);
  });

  it("the baseline has no Pass", () => {
    expect(found(banp({ ingress: [ingressRule({ action: "Pass" })] }))).toEqual([
      'spec.ingress[0].action: Unsupported value: "Pass": supported values: "Allow", "Deny"',
    ]);
    expect(found(banp({ ingress: [ingressRule({ action: "Allow" }), ingressRule({ action: "Deny" })] }))).toEqual([]);
    expect(found(anp({ ingress: ["Allow", "Deny", "Pass"].map((action) => ingressRule({ action })) }))).toEqual([]);
  });

  it("name is at most 100 characters", () => {
    expect(found(anp({ egress: [egressRule({ name: "n".repeat(101) })] }))).toEqual([
      "spec.egress[0].name: Too long: must have at most 100 bytes",
    ]);
    expect(found(anp({ egress: [egressRule({ name: "n".repeat(100) }), egressRule({ name: "é".repeat(100) })] }))).toEqual([]);
  });

  it("from and to are required", () => {
    expect(found(anp({ ingress: [ingressRule({ from: undefined })] }))).toEqual(["spec.ingress[0].from: Required value"]);
    expect(found(banp({ egress: [egressRule({ to: undefined })] }))).toEqual(["spec.egress[0].to: Required value"]);
  });

  it("from and to hold 1..100 peers", () => {
    expect(found(anp({ ingress: [ingressRule({ from: [] })] }))).toEqual([
      "spec.ingress[0].from: Invalid value: 0: spec.ingress[0].from in body should have at least 1 items",
    ]);
    expect(found(anp({ egress: [egressRule({ to: repeat(101, allNamespaces) })] }))).toEqual([
      "spec.egress[0].to: Too many: 101: must have at most 100 items",
    ]);
    expect(found(anp({ egress: [egressRule({ to: repeat(100, allNamespaces) })] }))).toEqual([]);
  });

  it("ports, when present, hold 1..100 entries", () => {
    expect(found(anp({ ingress: [ingressRule({ ports: [] })] }))).toEqual([
      "spec.ingress[0].ports: Invalid value: 0: spec.ingress[0].ports in body should have at least 1 items",
    ]);
    expect(found(anp({ ingress: [ingressRule({ ports: repeat(101, { namedPort: "web" }) })] }))).toEqual([
      "spec.ingress[0].ports: Too many: 101: must have at most 100 items",
    ]);
    expect(found(anp({ ingress: [ingressRule({ ports: repeat(100, { namedPort: "web" }) })] }))).toEqual([]);
  });
});

describe("peers", () => {
  it("need one field", () => {
    expect(found(anp({ ingress: [ingressRule({ from: [allNamespaces, {}] })] }))).toEqual([
      "spec.ingress[0].from[1]: Invalid value: 0: spec.ingress[0].from[1] in body should have at least 1 properties",
    ]);
  });

  it("take only one field", () => {
    expect(found(egressPeer({ namespaces: {}, networks: ["10.0.0.0/8"] }))).toEqual([
      "spec.egress[0].to[0]: Too many: 2: must have at most 1 item",
    ]);
  });

  it("pods needs both selectors", () => {
    expect(found(anp({ ingress: [ingressRule({ from: [{ pods: { namespaceSelector: {} } }] })] }))).toEqual([
      "spec.ingress[0].from[0].pods.podSelector: Required value",
    ]);
    expect(found(egressPeer({ pods: { namespaceSelector: {}, podSelector: {} } }))).toEqual([]);
  });

  it("namespaces and nodes are label selectors", () => {
    const bad = { matchLabels: { "-app": "x" } };
    expect(found(egressPeer({ namespaces: bad }))[0]).toMatch(/^spec\.egress\[0\]\.to\[0\]\.namespaces\.matchLabels: Invalid value: "-app"/);
    expect(found(egressPeer({ nodes: bad }))[0]).toMatch(/^spec\.egress\[0\]\.to\[0\]\.nodes\.matchLabels: Invalid value: "-app"/);
    expect(found(egressPeer({ nodes: {} }))).toEqual([]);
    const controlPlane = { nodes: { matchLabels: { "node-role.kubernetes.io/control-plane": "" } } };
    expect(found(banp({ egress: [egressRule({ to: [controlPlane] })] }))).toEqual([]);
  });
});

describe("networks", () => {
  it("hold 1..25 CIDRs", () => {
    expect(found(networks())).toEqual([
      "spec.egress[0].to[0].networks: Invalid value: 0: spec.egress[0].to[0].networks in body should have at least 1 items",
    ]);
    const cidrs = Array.from({ length: 26 }, (_, i) => `10.${i}.0.0/16`);
    expect(found(networks(...cidrs))).toEqual(["spec.egress[0].to[0].networks: Too many: 26: must have at most 25 items"]);
    expect(found(networks(...cidrs.slice(0, 25)))).toEqual([]);
  });

  it.each(["10.0.0.0", "10.0.0.0/33", "10/8", "fd00::/129", "", "10.0.0.0/8%eth0"])("%j is not a CIDR", (cidr) => {
    expect(found(networks("192.168.0.0/16", cidr))).toEqual([
      `spec.egress[0].to[0].networks[1]: Invalid value: ${JSON.stringify(cidr)}: ` +
        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
    ]);
  });

  it("v4 and v6, including everything", () => {
    expect(found(networks("0.0.0.0/0", "::/0", "203.0.113.7/32", "fd00::/8"), "error", true)).toEqual([]);
  });

  it("host bits follow the NetworkPolicy rule: an error when strict, else a warning naming the reading", () => {
    expect(found(networks("10.0.0.1/24"), "error", true)).toEqual([
      'spec.egress[0].to[0].networks[0]: Invalid value: "10.0.0.1/24": must not have bits set beyond the prefix length',
    ]);
    expect(found(networks("10.0.0.1/24"), "error", false)).toEqual([]);
    expect(found(networks("10.0.0.1/24"), "warning", false)).toEqual([
      'spec.egress[0].to[0].networks[0]: Invalid value: "10.0.0.1/24": must not have bits set beyond the prefix length; ' +
        'read as "10.0.0.0/24" (rejected by Kubernetes 1.36+)',
    ]);
  });

  it("are a set", () => {
    expect(found(networks("10.0.0.0/8", "fd00::/8", "10.0.0.0/8"))).toEqual([
      'spec.egress[0].to[0].networks[2]: Duplicate value: "10.0.0.0/8"',
    ]);
  });

  it("each at most 43 characters", () => {
    const long = "1234:1234:1234:1234:1234:1234:123.123.123.123/128";
    expect(found(networks(long))).toEqual(["spec.egress[0].to[0].networks[0]: Too long: must have at most 43 bytes"]);
    expect(found(networks("1234:1234:1234:1234:1234:1234:1234:1234/128"))).toEqual([]);
  });
});

describe("ports", () => {
  it("need one field", () => {
    expect(found(ingressPort({}))).toEqual([
      "spec.ingress[0].ports[0]: Invalid value: 0: spec.ingress[0].ports[0] in body should have at least 1 properties",
    ]);
  });

  it("take only one field", () => {
    expect(found(ingressPort({ portNumber: { port: 80 }, namedPort: "web" }))).toEqual([
      "spec.ingress[0].ports[0]: Too many: 2: must have at most 1 item",
    ]);
  });

  it.each(["tcp", "", "ICMP"])("protocol %j is unsupported", (protocol) => {
    const supported = 'supported values: "TCP", "UDP", "SCTP"';
    expect(found(ingressPort({ portNumber: { protocol, port: 80 } }))).toEqual([
      `spec.ingress[0].ports[0].portNumber.protocol: Unsupported value: "${protocol}": ${supported}`,
    ]);
    expect(found(ingressPort({ portRange: { protocol, start: 80, end: 90 } }))).toEqual([
      `spec.ingress[0].ports[0].portRange.protocol: Unsupported value: "${protocol}": ${supported}`,
    ]);
  });

  it("protocol absent is TCP; UDP and SCTP are valid", () => {
    const ports: AdminNetworkPolicyPort[] = [
      { portNumber: { port: 80 } },
      { portNumber: { protocol: "UDP", port: 53 } },
      { portRange: { start: 1, end: 65535 } },
      { portRange: { protocol: "SCTP", start: 9000, end: 9001 } },
    ];
    expect(found(anp({ ingress: [ingressRule({ ports })], egress: [egressRule({ ports })] }))).toEqual([]);
  });

  it("portNumber.port is required and 1..65535", () => {
    const at = "spec.ingress[0].ports[0].portNumber.port";
    expect(found(ingressPort({ portNumber: { protocol: "TCP" } }))).toEqual([`${at}: Required value`]);
    expect(found(ingressPort({ portNumber: { port: 0 } }))).toEqual([
      `${at}: Invalid value: 0: ${at} in body should be greater than or equal to 1`,
    ]);
    expect(found(ingressPort({ portNumber: { port: 65536 } }))).toEqual([
      `${at}: Invalid value: 65536: ${at} in body should be less than or equal to 65535`,
    ]);
  });

  it("portRange.start and end are required and 1..65535", () => {
    const at = "spec.ingress[0].ports[0].portRange";
    expect(found(ingressPort({ portRange: {} }))).toEqual([`${at}.start: Required value`, `${at}.end: Required value`]);
    expect(found(ingressPort({ portRange: { start: 0, end: 65536 } }))).toEqual([
      `${at}.start: Invalid value: 0: ${at}.start in body should be greater than or equal to 1`,
      `${at}.end: Invalid value: 65536: ${at}.end in body should be less than or equal to 65535`,
    ]);
  });

  it.each([
    [90, 80],
    [80, 80],
  ])("portRange %d-%d: start must be less than end", (start, end) => {
    expect(found(ingressPort({ portRange: { start, end } }))).toEqual([
      'spec.ingress[0].ports[0].portRange: Invalid value: "object": Start port must be less than End port',
    ]);
  });

  it("namedPort is a port name", () => {
    expect(found(ingressPort({ namedPort: "Web" }))).toEqual([
      'spec.ingress[0].ports[0].namedPort: Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
    expect(found(ingressPort({ namedPort: "8080" }))).toEqual([
      'spec.ingress[0].ports[0].namedPort: Invalid value: "8080": must contain at least one letter (a-z)',
    ]);
    expect(found(ingressPort({ namedPort: "web-tls" }))).toEqual([]);
  });
});

describe("named ports with networks or nodes peers (egress rule CEL)", () => {
  const message =
    'Invalid value: "object": networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes';
  const namedPort = { namedPort: "dns" };

  it.each<[string, AdminNetworkPolicyPeer]>([
    ["networks", { networks: ["10.0.0.0/8"] }],
    ["nodes", { nodes: {} }],
  ])("a %s peer", (_, peer) => {
    const rule = egressRule({ to: [allNamespaces, peer], ports: [{ portNumber: { port: 53 } }, namedPort] });
    expect(found(anp({ egress: [egressRule({}), rule] }))).toEqual([`spec.egress[1]: ${message}`]);
    expect(found(banp({ egress: [rule] }))).toEqual([`spec.egress[0]: ${message}`]);
  });

  it("pod peers, numbered ports and ingress rules are fine", () => {
    const podPeers = [allNamespaces, { pods: { namespaceSelector: {}, podSelector: {} } }];
    expect(found(anp({ egress: [egressRule({ to: podPeers, ports: [namedPort] })] }))).toEqual([]);
    const numbered = egressRule({ to: [{ networks: ["10.0.0.0/8"] }], ports: [{ portNumber: { port: 53 } }] });
    expect(found(anp({ egress: [numbered] }))).toEqual([]);
    expect(found(anp({ ingress: [ingressRule({ ports: [namedPort] })] }))).toEqual([]);
  });
});

describe("Node addresses", () => {
  it.each(["InternalIP", "ExternalIP"])("a %s must be an IP", (type) => {
    expect(found(node([{ type: "Hostname", address: "node-1" }, { type, address: "10.0.0" }]))).toEqual([
      'status.addresses[1].address: Invalid value: "10.0.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    expect(found(node([{ type, address: "10.0.0.7" }, { type, address: "fd00::7" }]))).toEqual([]);
  });

  it("other types are free text", () => {
    const addresses = [{ type: "Hostname", address: "not an IP" }, { type: "InternalDNS", address: "n1.local" }, { address: "x" }];
    expect(found(node(addresses))).toEqual([]);
  });

  it("leading zeros are a warning naming the reading, even when strict", () => {
    const nonStandard = node([{ type: "InternalIP", address: "010.0.0.7" }]);
    expect(found(nonStandard, "error", true)).toEqual([]);
    expect(found(nonStandard, "warning", true)[0]).toContain(
      'status.addresses[0].address: Invalid value: "010.0.0.7": must not have leading 0s; read as "10.0.0.7"',
    );
  });
});

describe("collects every error of an object", () => {
  it("reports errors from several places together", () => {
    const rule = egressRule({ action: "Drop", to: [{ networks: ["bogus"] }], ports: [{ namedPort: "x" }] });
    const out = found(anp({ priority: 2000, subject: {}, egress: [rule] }, { name: "Bad" }));
    expect(out.map((m) => m.split(": ")[0])).toEqual([
      "metadata.name",
      "spec.priority",
      "spec.subject",
      "spec.egress[0].action",
      "spec.egress[0].to[0].networks[0]",
      "spec.egress[0]",
    ]);
  });
});
