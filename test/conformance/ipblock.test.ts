// ipBlock peers: cidr minus except, over pod addresses and addresses outside the cluster,
// IPv4 and IPv6. SEMANTICS.md "A peer" (ipBlock) and "The decision".
// Pod addresses: 10.0.<1|2|3>.<1|2|3> for x|y|z and a|b|c; fd00:0:0:<n>::<m> for a and b.
import { describe, expect, it } from "vitest";
import { policy, world } from "./model.js";

const aEgressTo = (to: string) =>
  policy("x", "a-egress", `podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- to: ${to}`);

const OTHER_ROWS_OPEN = `
      x/b         .   .   .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .   .   .
      y/a         .   .   .   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .   .   .
      y/c         .   .   .   .   .   .   .   .   .   .   .
      z/a         .   .   .   .   .   .   .   .   .   .   .
      z/b         .   .   .   .   .   .   .   .   .   .   .
      z/c         .   .   .   .   .   .   .   .   .   .   .`;
const V4_HEAD = "-          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10 203.0.113.5";

describe("conformance: ipBlock", () => {
  it("ingress ipBlock matches pod addresses and outside addresses, minus except", () => {
    world([
      policy("x", "a-from-blocks", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from:
          - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}
          - ipBlock: {cidr: 192.0.2.0/24, except: [192.0.2.10/32]}
      `),
    ]).check(
      "TCP/80, UDP/81",
      `
      -           x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a          .   .   .   .   .   .   .   .   .
      x/b          .   .   .   .   .   .   .   .   .
      x/c          .   .   .   .   .   .   .   .   .
      y/a          X   .   .   .   .   .   .   .   .
      y/b          X   .   .   .   .   .   .   .   .
      y/c          X   .   .   .   .   .   .   .   .
      z/a          .   .   .   .   .   .   .   .   .
      z/b          .   .   .   .   .   .   .   .   .
      z/c          .   .   .   .   .   .   .   .   .
      192.0.2.10   X   .   .   .   .   .   .   .   .
      192.0.2.11   .   .   .   .   .   .   .   .   .
      203.0.113.5  X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("egress to an external CIDR allows that CIDR only (no pod is inside it)", () => {
    world([aEgressTo("[{ipBlock: {cidr: 192.0.2.0/24}}]")]).check(
      "TCP/443, UDP/80",
      `${V4_HEAD}
      x/a         .   X   X   X   X   X   X   X   X   .   X${OTHER_ROWS_OPEN}`,
    );
  });

  it("egress ipBlock except carves a pod address out of the CIDR", () => {
    world([aEgressTo("[{ipBlock: {cidr: 10.0.1.0/24, except: [10.0.1.2/32]}}]")]).check(
      "TCP/80",
      `${V4_HEAD}
      x/a         .   X   .   X   X   X   X   X   X   X   X${OTHER_ROWS_OPEN}`,
    );
  });

  it("an address in one block's except but in another policy's cidr is allowed (union)", () => {
    world([
      aEgressTo("[{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]"),
      policy("x", "a-egress-y-b", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to: [{ipBlock: {cidr: 10.0.2.2/32}}]
      `),
    ]).check(
      "TCP/80",
      `${V4_HEAD}
      x/a         .   .   .   X   .   X   .   .   .   X   X${OTHER_ROWS_OPEN}`,
    );
  });

  it("IPv6 ipBlock with except matches IPv6 pod and outside addresses, and no IPv4 address", () => {
    const w = world([
      policy("x", "a-from-v6", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from:
          - ipBlock: {cidr: "fd00::/16", except: ["fd00:0:0:2::/64"]}
          - ipBlock: {cidr: "2001:db8:ff::/48"}
      `),
    ]);
    w.check(
      "IPv6 TCP/80, UDP/80",
      `
      -               x/a x/b y/a y/b z/a z/b
      x/a              .   .   .   .   .   .
      x/b              .   .   .   .   .   .
      y/a              X   .   .   .   .   .
      y/b              X   .   .   .   .   .
      z/a              .   .   .   .   .   .
      z/b              .   .   .   .   .   .
      2001:db8:ff::10  .   .   .   .   .   .
      2001:db8:1::10   X   .   .   .   .   .
      `,
    );
    w.check(
      "TCP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   .   .   .   .   .   .   .
      x/b         X   .   .   .   .   .   .   .   .
      x/c         X   .   .   .   .   .   .   .   .
      y/a         X   .   .   .   .   .   .   .   .
      y/b         X   .   .   .   .   .   .   .   .
      y/c         X   .   .   .   .   .   .   .   .
      z/a         X   .   .   .   .   .   .   .   .
      z/b         X   .   .   .   .   .   .   .   .
      z/c         X   .   .   .   .   .   .   .   .
      192.0.2.10  X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("0.0.0.0/0 does not cover IPv6 addresses and ::/0 does not cover IPv4 addresses", () => {
    const w = world([
      policy("x", "a-from-any-v4", "podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{ipBlock: {cidr: 0.0.0.0/0}}]"),
      policy("x", "b-from-any-v6", `podSelector: {matchLabels: {pod: b}}\ningress:\n- from: [{ipBlock: {cidr: "::/0"}}]`),
    ]);
    w.check(
      "TCP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   X   .   .   .   .   .   .   .
      x/b         .   .   .   .   .   .   .   .   .
      x/c         .   X   .   .   .   .   .   .   .
      y/a         .   X   .   .   .   .   .   .   .
      y/b         .   X   .   .   .   .   .   .   .
      y/c         .   X   .   .   .   .   .   .   .
      z/a         .   X   .   .   .   .   .   .   .
      z/b         .   X   .   .   .   .   .   .   .
      z/c         .   X   .   .   .   .   .   .   .
      192.0.2.10  .   X   .   .   .   .   .   .   .
      `,
    );
    w.check(
      "IPv6 TCP/80",
      `
      -                x/a x/b y/a y/b z/a z/b
      x/a               .   .   .   .   .   .
      x/b               X   .   .   .   .   .
      y/a               X   .   .   .   .   .
      y/b               X   .   .   .   .   .
      z/a               X   .   .   .   .   .
      z/b               X   .   .   .   .   .
      2001:db8:ff::10   X   .   .   .   .   .
      `,
    );
  });

  it("IPv6 egress to an external CIDR allows that CIDR only", () => {
    const w = world([aEgressTo(`[{ipBlock: {cidr: "2001:db8:ff::/48"}}]`)]);
    w.check(
      "IPv6 TCP/443",
      `
      -   x/a x/b y/a y/b z/a z/b 2001:db8:ff::10 2001:db8:1::10
      x/a  .   X   X   X   X   X         .               X
      x/b  .   .   .   .   .   .         .               .
      y/a  .   .   .   .   .   .         .               .
      y/b  .   .   .   .   .   .         .               .
      z/a  .   .   .   .   .   .         .               .
      z/b  .   .   .   .   .   .         .               .
      `,
    );
    w.check(
      "TCP/443",
      `${V4_HEAD}
      x/a         .   X   X   X   X   X   X   X   X   X   X${OTHER_ROWS_OPEN}`,
    );
  });

  it("a CIDR with host bits set means its network (10.0.1.1/24 = 10.0.1.0/24), with a warning", () => {
    const w = world([aEgressTo("[{ipBlock: {cidr: 10.0.1.1/24, except: [10.0.1.3/32]}}]")]);
    expect(w.loaded.warnings.length).toBeGreaterThan(0);
    w.check(
      "TCP/80",
      `${V4_HEAD}
      x/a         .   .   X   X   X   X   X   X   X   X   X${OTHER_ROWS_OPEN}`,
    );
  });

  it("a non-canonical IPv6 CIDR (uppercase, uncompressed) matches like its canonical form", () => {
    world([aEgressTo(`[{ipBlock: {cidr: "FD00:0000:0:1:0:0:0:0/64"}}]`)]).check(
      "IPv6 UDP/81",
      `
      -   x/a x/b y/a y/b z/a z/b 2001:db8:ff::10
      x/a  .   .   X   X   X   X         X
      x/b  .   .   .   .   .   .         .
      y/a  .   .   .   .   .   .         .
      y/b  .   .   .   .   .   .         .
      z/a  .   .   .   .   .   .         .
      z/b  .   .   .   .   .   .         .
      `,
    );
  });

  it("traffic from outside the cluster is decided by the destination's ingress alone", () => {
    world([
      policy("x", "deny-egress", "podSelector: {}\npolicyTypes: [Egress]"),
      policy("y", "from-test-net", "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 192.0.2.0/24}}]"),
    ]).check(
      "TCP/80, SCTP/81",
      `
      -            x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10 203.0.113.5
      x/a           .   X   X   X   X   X   X   X   X   X   X
      x/b           X   .   X   X   X   X   X   X   X   X   X
      x/c           X   X   .   X   X   X   X   X   X   X   X
      y/a           .   .   .   .   X   X   .   .   .   .   .
      y/b           .   .   .   X   .   X   .   .   .   .   .
      y/c           .   .   .   X   X   .   .   .   .   .   .
      z/a           .   .   .   X   X   X   .   .   .   .   .
      z/b           .   .   .   X   X   X   .   .   .   .   .
      z/c           .   .   .   X   X   X   .   .   .   .   .
      192.0.2.10    .   .   .   .   .   .   .   .   .   .   .
      203.0.113.5   .   .   .   X   X   X   .   .   .   .   .
      `,
    );
  });
});
