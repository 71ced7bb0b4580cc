import { describe, it, expect } from "vitest";
import type { ContainerPort, ObjectMeta, Pod } from "../../src/load/api.js";
import { renderPath } from "../../src/load/path.js";
import { validateObject } from "../../src/validate/index.js";

function pod(parts: Partial<Pick<Pod, "spec" | "status">> = {}, metadata: ObjectMeta = { name: "web-0", namespace: "default" }): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata, ...parts };
}

function found(obj: Pod, severity: "error" | "warning" = "error", strict = false): string[] {
  return validateObject(obj, { strict })
    .filter((i) => i.severity === severity)
    .map((i) => `${renderPath(i.path)}: ${i.message}`);
}

const withPorts = (...ports: ContainerPort[]) => pod({ spec: { containers: [{ name: "c", ports }] } });
const withIPs = (podIPs: string[], podIP?: string) =>
  pod({ status: { podIPs: podIPs.map((ip) => ({ ip })), ...(podIP !== undefined ? { podIP } : {}) } });

describe("Pod metadata (N2)", () => {
  it("name is a DNS-1123 subdomain", () => {
    expect(found(pod({}, { name: "web.prod-0", namespace: "default" }))).toEqual([]);
    expect(found(pod({}, { name: "Web_0", namespace: "default" }))[0]).toContain(
      'metadata.name: Invalid value: "Web_0": a lowercase RFC 1123 subdomain',
    );
  });

  it("name required", () => {
    expect(found(pod({}, { namespace: "default" }))).toEqual([
      "metadata.name: Required value: name or generateName is required",
    ]);
  });

  it("namespace is a DNS-1123 label and required", () => {
    expect(found(pod({}, { name: "p", namespace: "a.b" }))).toEqual([
      'metadata.namespace: Invalid value: "a.b": must not contain dots',
    ]);
    expect(found(pod({}, { name: "p", namespace: "" }))).toEqual(["metadata.namespace: Required value"]);
  });

  it("labels", () => {
    expect(found(pod({}, { name: "p", namespace: "default", labels: { app: "web server" } }))[0]).toMatch(
      /^metadata\.labels: Invalid value: "web server": a valid label must be/,
    );
  });
});

describe("container ports (N3)", () => {
  const at = "spec.containers[0].ports";

  it("accepts the usual shapes", () => {
    expect(
      found(
        withPorts(
          { name: "http", containerPort: 80 },
          { containerPort: 53, protocol: "UDP" },
          { containerPort: 9000, protocol: "" },
          { name: "", containerPort: 1, protocol: "SCTP" },
          { containerPort: 65535, hostPort: 8080 },
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ["HTTP", "must contain only alpha-numeric characters"],
    ["8080", "must contain at least one letter (a-z)"],
    ["metrics-endpoint", "must be no more than 15 bytes"],
    ["a--b", "must not contain consecutive hyphens"],
  ])("name %j must be an IANA_SVC_NAME", (name, phrase) => {
    expect(found(withPorts({ name, containerPort: 80 }))[0]).toContain(`${at}[0].name: Invalid value: "${name}": ${phrase}`);
  });

  it("names are unique within one container", () => {
    expect(found(withPorts({ name: "http", containerPort: 80 }, { name: "http", containerPort: 8080 }))).toEqual([
      `${at}[1].name: Duplicate value: "http"`,
    ]);
  });

  it("the same name in two containers is fine", () => {
    const p = pod({
      spec: {
        containers: [
          { name: "a", ports: [{ name: "http", containerPort: 80 }] },
          { name: "b", ports: [{ name: "http", containerPort: 8080 }] },
        ],
      },
    });
    expect(found(p)).toEqual([]);
  });

  it("containerPort required", () => {
    expect(found(withPorts({ name: "http" }))).toEqual([`${at}[0].containerPort: Required value`]);
    expect(found(withPorts({ containerPort: 0 }))).toEqual([`${at}[0].containerPort: Required value`]);
  });

  it.each([-1, 65536])("containerPort %d out of range", (containerPort) => {
    expect(found(withPorts({ containerPort }))).toEqual([
      `${at}[0].containerPort: Invalid value: ${containerPort}: must be between 1 and 65535, inclusive`,
    ]);
  });

  it("hostPort out of range", () => {
    expect(found(withPorts({ containerPort: 80, hostPort: 70000 }))).toEqual([
      `${at}[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive`,
    ]);
  });

  it.each(["tcp", "ICMP", "ANY"])("protocol %j unsupported", (protocol) => {
    expect(found(withPorts({ containerPort: 80, protocol }))).toEqual([
      `${at}[0].protocol: Unsupported value: "${protocol}": supported values: "SCTP", "TCP", "UDP"`,
    ]);
  });

  it("paths name the container and the port", () => {
    const p = pod({ spec: { containers: [{ name: "a" }, { name: "b", ports: [{ containerPort: 1 }, { containerPort: 0 }] }] } });
    expect(found(p)).toEqual(["spec.containers[1].ports[1].containerPort: Required value"]);
  });
});

describe("pod IPs (N4)", () => {
  it("accepts a single IP, a dual-stack pair, and podIP alone", () => {
    expect(found(withIPs(["10.0.0.1"]))).toEqual([]);
    expect(found(withIPs(["10.0.0.1", "fd00::1"], "10.0.0.1"))).toEqual([]);
    expect(found(withIPs(["fd00::1", "10.0.0.1"]))).toEqual([]);
    expect(found(pod({ status: { podIP: "10.0.0.1" } }))).toEqual([]);
  });

  it("podIP differing from podIPs[0] is not an error", () => {
    expect(found(withIPs(["10.0.0.2"], "10.0.0.1"), "error", true)).toEqual([]);
  });

  it.each(["10.0.0", "10.0.0.256", "10.0.0.1/32", "fe80::1%eth0", "", "host"])("podIPs entry %j must be an IP", (ip) => {
    expect(found(withIPs([ip]))).toEqual([
      `status.podIPs[0]: Invalid value: ${JSON.stringify(ip)}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
    ]);
  });

  it("an absent ip is an invalid empty one", () => {
    expect(found(pod({ status: { podIPs: [{}] } }))[0]).toContain('status.podIPs[0]: Invalid value: "": must be a valid IP');
  });

  it("podIP must be an IP", () => {
    expect(found(pod({ status: { podIP: "10.0.0.999" } }))).toEqual([
      'status.podIP: Invalid value: "10.0.0.999": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });

  it("a bad podIP equal to podIPs[0] is reported once", () => {
    expect(found(withIPs(["bogus"], "bogus"))).toHaveLength(1);
  });

  it.each([
    ["010.0.0.1", "must not have leading 0s", "10.0.0.1"],
    ["::ffff:10.0.0.1", "must not be an IPv4-mapped IPv6 address", "10.0.0.1"],
  ])("%j is an error when strict, else a warning naming the reading", (ip, detail, canonical) => {
    expect(found(withIPs([ip]), "error", true)).toEqual([`status.podIPs[0]: Invalid value: "${ip}": ${detail}`]);
    expect(found(pod({ status: { podIP: ip } }), "error", true)).toEqual([`status.podIP: Invalid value: "${ip}": ${detail}`]);
    expect(found(withIPs([ip]), "error", false)).toEqual([]);
    expect(found(withIPs([ip]), "warning", false)[0]).toContain(
      `status.podIPs[0]: Invalid value: "${ip}": ${detail}; read as "${canonical}"`,
    );
  });

  it("non-canonical IPv6 is accepted with a warning", () => {
    expect(found(withIPs(["FD00:0::1"]), "error", true)).toEqual([]);
    expect(found(withIPs(["FD00:0::1"]), "warning")[0]).toContain('"fd00::1"');
  });

  it("at most one IP per family", () => {
    expect(found(withIPs(["10.0.0.1", "10.0.0.2"]))).toEqual([
      'status.podIPs: Invalid value: ["10.0.0.1","10.0.0.2"]: may specify no more than one IP for each IP family',
    ]);
    expect(found(withIPs(["10.0.0.1", "fd00::1", "fd00::2"]))[0]).toMatch(
      /^status\.podIPs: Invalid value: .*: may specify no more than one IP for each IP family$/,
    );
  });

  it("duplicates", () => {
    const out = found(withIPs(["10.0.0.1", "10.0.0.1"]));
    expect(out).toContain('status.podIPs[1]: Duplicate value: "10.0.0.1"');
    expect(out).toHaveLength(2);
  });

  it("an unparseable entry is not also a family error", () => {
    expect(found(withIPs(["10.0.0.1", "bogus"]))).toEqual([
      'status.podIPs[1]: Invalid value: "bogus": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });
});
