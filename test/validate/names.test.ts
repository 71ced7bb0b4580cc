import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  byteLength,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  regexError,
} from "../../src/validate/names.js";

describe("regexError", () => {
  it("renders Go's example list, doubled space included", () => {
    expect(regexError("msg", "re", "my-name", "123-abc")).toBe(
      "msg (e.g. 'my-name',  or '123-abc', regex used for validation is 're')",
    );
    expect(regexError("msg", "re")).toBe("msg (regex used for validation is 're')");
  });
});

describe("byteLength", () => {
  it("counts UTF-8 bytes like Go len()", () => {
    expect(byteLength("abc")).toBe(3);
    expect(byteLength("é")).toBe(2);
    expect(byteLength("😀")).toBe(4);
  });
});

describe("isDNS1123Label", () => {
  it.each(["a", "0", "my-name", "123-abc", "a".repeat(63)])("accepts %j", (v) => {
    expect(isDNS1123Label(v)).toEqual([]);
  });

  it("says 'must not contain dots' for a valid subdomain", () => {
    expect(isDNS1123Label("my.name")).toEqual(["must not contain dots"]);
  });

  it.each(["", "-a", "a-", "A", "a_b", "a b", "a..b", ".a"])("rejects %j with the label regex message", (v) => {
    const errs = isDNS1123Label(v);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toContain("a lowercase RFC 1123 label must consist of");
    expect(errs[0]).toContain("(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  });

  it("rejects 64 bytes with the length message only", () => {
    expect(isDNS1123Label("a".repeat(64))).toEqual(["must be no more than 63 bytes"]);
  });
});

describe("isDNS1123Subdomain", () => {
  it.each(["a", "example.com", "a-b.c-d", "a".repeat(253), `${"a".repeat(100)}.${"b".repeat(100)}`])(
    "accepts %j (no per-part limit)",
    (v) => expect(isDNS1123Subdomain(v)).toEqual([]),
  );

  it.each(["", "A", "a.", ".a", "a..b", "a_b", "a.-b", "a-.b"])("rejects %j", (v) => {
    expect(isDNS1123Subdomain(v)[0]).toContain("a lowercase RFC 1123 subdomain must consist of");
  });

  it("rejects 254 bytes", () => {
    expect(isDNS1123Subdomain("a".repeat(254))).toEqual(["must be no more than 253 bytes"]);
  });

  it("property: every dot-joined sequence of labels of at most 253 bytes is accepted", () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 8 }), (parts) => {
        expect(isDNS1123Subdomain(parts.join("."))).toEqual([]);
      }),
    );
  });
});

describe("generateName prefixes", () => {
  it("allow a trailing dash", () => {
    expect(nameIsDNSSubdomain("web-", true)).toEqual([]);
    expect(nameIsDNSSubdomain("web-", false)).not.toEqual([]);
  });
});

describe("isValidPortName (IANA_SVC_NAME)", () => {
  it.each(["http", "h2c", "a", "web-8080", "a".repeat(15)])("accepts %j", (v) => {
    expect(isValidPortName(v)).toEqual([]);
  });

  it.each([
    ["a".repeat(16), "must be no more than 15 bytes"],
    ["HTTP", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"],
    ["my_port", "must contain only alpha-numeric characters"],
    ["my.port", "must contain only alpha-numeric characters"],
    ["", "must contain only alpha-numeric characters"],
    ["80", "must contain at least one letter (a-z)"],
    ["8080-1", "must contain at least one letter (a-z)"],
    ["a--b", "must not contain consecutive hyphens"],
    ["-http", "must not begin or end with a hyphen"],
    ["http-", "must not begin or end with a hyphen"],
  ])("rejects %j: %s", (v, phrase) => {
    expect(isValidPortName(v).some((m) => m.includes(phrase))).toBe(true);
  });

  it("reports every failed rule separately", () => {
    expect(isValidPortName("-")).toEqual([
      "must contain at least one letter (a-z)",
      "must not begin or end with a hyphen",
    ]);
  });
});

describe("isValidPortNum", () => {
  it("accepts exactly 1..65535", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (n) => {
        expect(isValidPortNum(n)).toEqual([]);
      }),
    );
    for (const n of [0, -1, 65536, 2 ** 31 - 1, -(2 ** 31)]) {
      expect(isValidPortNum(n)).toEqual(["must be between 1 and 65535, inclusive"]);
    }
  });
});
