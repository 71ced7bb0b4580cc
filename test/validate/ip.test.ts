import { SocketAddress, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CIDR_EXAMPLE, HOST_BITS, IPV4_MAPPED, LEADING_ZEROS, cidrContains, cidrStrictlyContains, formatIP, parseCIDR, parseIP,
} from "../../src/validate/ip.js";

const ip = (s: string) => {
  const r = parseIP(s);
  if (!r.ok) throw new Error(`bad test address ${s}`);
  return r.value;
};
const cidr = (s: string) => {
  const r = parseCIDR(s);
  if (!r.ok) throw new Error(`bad test CIDR ${s}`);
  return r.value;
};

describe("parseIP", () => {
  it.each(["10.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "2001:db8::1", "1:2:3:4:5:6:7:8", "a::b:1.2.3.4", "2001:DB8:0:0::1"])(
    "accepts %s",
    (s) => expect(parseIP(s)).toMatchObject({ ok: true, problems: [] }),
  );

  it.each(["", "10.0.0", "10.0.0.0.1", "256.0.0.1", "10.0.0.-1", " 10.0.0.1", "10.0.0.1 ", "1::2::3", "12345::", "fe80::1%eth0",
    "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":::", "10/8", "0x10.0.0.1", "::1.2.3"])("rejects %j", (s) => {
    expect(parseIP(s).ok).toBe(false);
  });

  it("reads IPv4 leading zeros as decimal, never octal, and reports them", () => {
    const r = parseIP("010.001.0.9");
    expect(r).toMatchObject({ ok: true, problems: [LEADING_ZEROS] });
    expect(r.ok && r.value.text).toBe("10.1.0.9");
  });

  it("maps an IPv4-mapped IPv6 address to IPv4 and reports it", () => {
    const r = parseIP("::ffff:10.0.0.1");
    expect(r).toMatchObject({ ok: true, problems: [IPV4_MAPPED] });
    expect(r.ok && r.value).toMatchObject({ family: 4, text: "10.0.0.1" });
  });

  it("keeps the deprecated IPv4-compatible form ::1.2.3.4 as IPv6 (unlike ipaddr.js)", () => {
    expect(ip("::1.2.3.4")).toMatchObject({ family: 6, text: "::102:304" });
  });

  it("formats IPv6 in RFC 5952 form", () => {
    expect(ip("2001:DB8:0:0:1:0:0:1").text).toBe("2001:db8::1:0:0:1");
    expect(ip("0:0:0:0:0:0:0:0").text).toBe("::");
    expect(ip("1:0:2:3:4:5:6:7").text).toBe("1:0:2:3:4:5:6:7");
  });

  it("round-trips any IPv6 address the way Node's own formatter does", () => {
    const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, (g) => {
        // Node prints the mapped and compatible ranges with a dotted tail; those are tested above.
        fc.pre(g.slice(0, 5).some((x) => x !== 0));
        const full = g.map((x) => x.toString(16)).join(":");
        const ours = ip(full);
        expect(ours.text).toBe(new SocketAddress({ address: full, family: "ipv6" }).address);
        expect(ip(ours.text).bytes).toEqual(ours.bytes);
        expect(isIPv6(ours.text)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any IPv4 address", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        expect(Array.from(ip(formatIP(b)).bytes)).toEqual(Array.from(b));
      }),
    );
  });
});

describe("parseCIDR", () => {
  it("accepts canonical CIDRs of both families, /0 to the full length", () => {
    for (const s of ["0.0.0.0/0", "10.0.0.0/8", "10.0.0.1/32", "::/0", "2001:db8::/32", "::1/128"]) {
      expect(parseCIDR(s)).toMatchObject({ ok: true, problems: [] });
    }
  });

  it.each(["10.0.0.0", "10.0.0.0/33", "::/129", "10/8", "10.0.0/24", "10.0.0.0/-1", "10.0.0.0/ 8", "10.0.0.0/8 ", "fe80::/64%eth0", "/8"])(
    "rejects %j with the API server's message",
    (s) => expect(parseCIDR(s)).toEqual({ ok: false, problems: [CIDR_EXAMPLE] }),
  );

  it("masks host bits, as older API servers stored them, and reports it", () => {
    const r = parseCIDR("10.0.1.1/24");
    expect(r).toMatchObject({ ok: true, problems: [HOST_BITS] });
    expect(r.ok && r.value.text).toBe("10.0.1.0/24");
  });

  it("reports leading zeros in the address and in the prefix length", () => {
    expect(parseCIDR("010.0.0.0/8")).toMatchObject({ ok: true, problems: [LEADING_ZEROS] });
    expect(parseCIDR("10.0.0.0/08")).toMatchObject({ ok: true, problems: [LEADING_ZEROS] });
  });

  it("reads an IPv4-mapped CIDR as the IPv4 CIDR it covers", () => {
    const r = parseCIDR("::ffff:10.0.0.0/104");
    expect(r).toMatchObject({ ok: true, problems: [IPV4_MAPPED] });
    expect(r.ok && r.value.text).toBe("10.0.0.0/8");
  });
});

describe("cidrContains", () => {
  it("matches inside the prefix only, never across families", () => {
    expect(cidrContains(cidr("10.0.0.0/8"), ip("10.255.1.1"))).toBe(true);
    expect(cidrContains(cidr("10.0.0.0/8"), ip("11.0.0.0"))).toBe(false);
    expect(cidrContains(cidr("0.0.0.0/0"), ip("::1"))).toBe(false);
    expect(cidrContains(cidr("::/0"), ip("10.0.0.1"))).toBe(false);
    expect(cidrContains(cidr("10.0.0.7/32"), ip("10.0.0.7"))).toBe(true);
    expect(cidrContains(cidr("10.0.0.7/32"), ip("10.0.0.6"))).toBe(false);
    expect(cidrContains(cidr("2001:db8::/127"), ip("2001:db8::1"))).toBe(true);
    expect(cidrContains(cidr("2001:db8::/128"), ip("2001:db8::1"))).toBe(false);
  });

  it("agrees with a bit-by-bit comparison on random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), (n, a, prefix) => {
        const c = cidr(`${formatIP(n)}/${prefix}`);
        const bits = (b: Uint8Array) => Array.from(b, (x) => x.toString(2).padStart(8, "0")).join("");
        expect(cidrContains(c, ip(formatIP(a)))).toBe(bits(n).slice(0, prefix) === bits(a).slice(0, prefix));
      }),
    );
  });

  it("knows a strict subset: longer prefix, inside, same family", () => {
    expect(cidrStrictlyContains(cidr("10.0.0.0/8"), cidr("10.1.0.0/16"))).toBe(true);
    expect(cidrStrictlyContains(cidr("10.0.0.0/8"), cidr("10.0.0.0/8"))).toBe(false);
    expect(cidrStrictlyContains(cidr("10.0.0.0/16"), cidr("10.0.0.0/8"))).toBe(false);
    expect(cidrStrictlyContains(cidr("10.0.0.0/8"), cidr("11.0.0.0/16"))).toBe(false);
    expect(cidrStrictlyContains(cidr("0.0.0.0/0"), cidr("::/64"))).toBe(false);
  });
});
