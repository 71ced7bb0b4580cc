import { describe, it, expect } from "vitest";
import type { NetworkPolicy, NetworkPolicySpec, ObjectMeta } from "../../src/load/api.js";
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

const ipBlock = (cidr: string | undefined, except?: string[]) =>
  np({ egress: [{ to: [{ ipBlock: { ...(cidr !== undefined ? { cidr } : {}), ...(except ? { except } : {}) } }] }] });

describe("ipBlock", () => {
  const cidrPath = "spec.egress[0].to[0].ipBlock.cidr";
  const exceptPath = (k: number) => `spec.egress[0].to[0].ipBlock.except[${k}]`;

  it("I1: cidr required", () => {
    expect(found(ipBlock(undefined))).toEqual([`${cidrPath}: Required value`]);
    expect(found(ipBlock("", ["bogus"]))).toEqual([`${cidrPath}: Required value`]);
  });

  it.each(["10.0.0.0", "10/8", "10.0.0/24", "10.0.0.0/33", "::/129", " 10.0.0.0/8", "fe80::%eth0/64", "10.0.0.256/32"])(
    "I2: %j is not a CIDR",
    (cidr) => {
      expect(found(ipBlock(cidr))).toEqual([
        `${cidrPath}: Invalid value: ${JSON.stringify(cidr)}: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`,
      ]);
    },
  );

  it("I3: except is not examined when cidr is invalid", () => {
    expect(found(ipBlock("10.0.0.0", ["bogus", "192.168.0.0/16"]))).toHaveLength(1);
  });

  it("I4: every except must be a CIDR", () => {
    expect(found(ipBlock("10.0.0.0/8", ["10.1.0.0/16", "10.2.0.0"]))).toEqual([
      `${exceptPath(1)}: Invalid value: "10.2.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`,
    ]);
    expect(found(ipBlock("10.0.0.0/8", [""]))[0]).toContain(`${exceptPath(0)}: Invalid value: "": must be a valid CIDR`);
  });

  it.each([
    ["10.0.0.0/8", "equal"],
    ["0.0.0.0/0", "larger"],
    ["192.168.0.0/16", "disjoint"],
    ["fd00::/8", "other family"],
  ])("I5: except %j (%s) is not a strict subset", (except) => {
    expect(found(ipBlock("10.0.0.0/8", [except]))).toEqual([
      `${exceptPath(0)}: Invalid value: "${except}": must be a strict subset of \`cidr\``,
    ]);
  });

  it("I5: IPv6 strict subset", () => {
    expect(found(ipBlock("2001:db8::/32", ["2001:db8:1::/48", "2001:db8::/32"]))).toEqual([
      `${exceptPath(1)}: Invalid value: "2001:db8::/32": must be a strict subset of \`cidr\``,
    ]);
  });

  it("I5: compares the masked values", () => {
    // 10.0.0.1/8 is read as 10.0.0.0/8, which contains 10.1.0.0/16.
    expect(found(ipBlock("10.0.0.1/8", ["10.1.0.1/16"]))).toEqual([]);
    expect(found(ipBlock("10.0.0.0/16", ["10.0.255.255/16"]))).toEqual([
      `${exceptPath(0)}: Invalid value: "10.0.255.255/16": must be a strict subset of \`cidr\``,
    ]);
  });

  it.each([
    ["010.0.0.0/8", "must not have leading 0s in IP or prefix length", "10.0.0.0/8"],
    ["10.0.0.0/08", "must not have leading 0s in IP or prefix length", "10.0.0.0/8"],
    ["::ffff:10.0.0.0/104", "must not have an IPv4-mapped IPv6 address", "10.0.0.0/8"],
    ["10.0.1.1/24", "must not have bits set beyond the prefix length", "10.0.1.0/24"],
  ])("I6/I7: %j is an error when strict, a warning naming %s otherwise", (cidr, detail, canonical) => {
    expect(found(ipBlock(cidr), "error", true)).toEqual([`${cidrPath}: Invalid value: "${cidr}": ${detail}`]);
    expect(found(ipBlock(cidr), "error", false)).toEqual([]);
    const warnings = found(ipBlock(cidr), "warning", false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${cidrPath}: Invalid value: "${cidr}": ${detail}; read as "${canonical}"`);
  });

  it("I6: strict checks apply to except entries too", () => {
    expect(found(ipBlock("10.0.0.0/8", ["10.0.0.1/24"]), "error", true)).toEqual([
      `${exceptPath(0)}: Invalid value: "10.0.0.1/24": must not have bits set beyond the prefix length`,
    ]);
    expect(found(ipBlock("10.0.0.0/8", ["10.0.0.1/24"]), "warning")[0]).toContain('read as "10.0.0.0/24"');
  });

  it("I6: a cidr with strict problems still has its excepts examined", () => {
    expect(found(ipBlock("10.0.0.1/8", ["192.168.0.0/16"]), "error", true)).toHaveLength(2);
  });

  it("I6: non-canonical IPv6 is accepted, with a warning", () => {
    for (const strict of [true, false]) {
      expect(found(ipBlock("2001:DB8:0:0::/64"), "error", strict)).toEqual([]);
      expect(found(ipBlock("2001:DB8:0:0::/64"), "warning", strict)[0]).toContain('"2001:db8::/64"');
    }
  });
});
