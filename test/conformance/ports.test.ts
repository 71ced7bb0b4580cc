// Numeric ports, protocols and endPort ranges. SEMANTICS.md "Ports" and "A rule".
// The target is x/a: its column is either open to every source or to itself only.
import { describe, it } from "vitest";
import { policy, world } from "./model.js";

const toA = (ports: string) => policy("x", "a-ports", `podSelector: {matchLabels: {pod: a}}\ningress:\n- ports: ${ports}`);

const X_A_OPEN = `
  -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
  x/a         .   .   .   .   .   .   .   .   .
  x/b         .   .   .   .   .   .   .   .   .
  x/c         .   .   .   .   .   .   .   .   .
  y/a         .   .   .   .   .   .   .   .   .
  y/b         .   .   .   .   .   .   .   .   .
  y/c         .   .   .   .   .   .   .   .   .
  z/a         .   .   .   .   .   .   .   .   .
  z/b         .   .   .   .   .   .   .   .   .
  z/c         .   .   .   .   .   .   .   .   .
  192.0.2.10  .   .   .   .   .   .   .   .   .
`;

const X_A_CLOSED = `
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
`;

describe("conformance: ports and protocols", () => {
  it("a port without protocol means TCP", () => {
    const w = world([toA("[{port: 80}]")]);
    w.check("TCP/80", X_A_OPEN);
    w.check("TCP/81, UDP/80, SCTP/80", X_A_CLOSED);
  });

  it("a protocol without port allows every port of that protocol and no other protocol", () => {
    const w = world([toA("[{protocol: UDP}]")]);
    w.check("UDP/80, UDP/81, UDP/1, UDP/53, UDP/65535", X_A_OPEN);
    w.check("TCP/80, TCP/81, SCTP/80, SCTP/81", X_A_CLOSED);
  });

  it("TCP, UDP and SCTP ports are distinct: SCTP 81 and UDP 80 open nothing else", () => {
    const w = world([toA("[{protocol: SCTP, port: 81}, {protocol: UDP, port: 80}]")]);
    w.check("SCTP/81, UDP/80", X_A_OPEN);
    w.check("SCTP/80, UDP/81, TCP/80, TCP/81", X_A_CLOSED);
  });

  it("endPort makes the inclusive range port..endPort", () => {
    const w = world([toA("[{port: 81, endPort: 443}]")]);
    w.check("TCP/81, TCP/200, TCP/443", X_A_OPEN);
    w.check("TCP/80, TCP/444, UDP/81, SCTP/443", X_A_CLOSED);
  });

  it("endPort equal to port allows exactly that port", () => {
    const w = world([toA("[{protocol: UDP, port: 81, endPort: 81}]")]);
    w.check("UDP/81", X_A_OPEN);
    w.check("UDP/80, UDP/82, TCP/81, SCTP/81", X_A_CLOSED);
  });

  it("the range 1..65535 allows every port of its protocol", () => {
    const w = world([toA("[{protocol: SCTP, port: 1, endPort: 65535}]")]);
    w.check("SCTP/1, SCTP/80, SCTP/81, SCTP/65535", X_A_OPEN);
    w.check("TCP/80, UDP/81", X_A_CLOSED);
  });

  it("each rule pairs its own peers with its own ports: x/b on 80, namespace y on 81", () => {
    const w = world([
      policy("x", "a-two-rules", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from: [{podSelector: {matchLabels: {pod: b}}}]
          ports: [{port: 80}]
        - from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
          ports: [{port: 81}]
      `),
    ]);
    w.check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  X   .   .   .   .   .   .   .   .
      y/a  X   .   .   .   .   .   .   .   .
      y/b  X   .   .   .   .   .   .   .   .
      y/c  X   .   .   .   .   .   .   .   .
      z/a  X   .   .   .   .   .   .   .   .
      z/b  X   .   .   .   .   .   .   .   .
      z/c  X   .   .   .   .   .   .   .   .
      `,
    );
    w.check(
      "TCP/81",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  X   .   .   .   .   .   .   .   .
      x/c  X   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  X   .   .   .   .   .   .   .   .
      z/b  X   .   .   .   .   .   .   .   .
      z/c  X   .   .   .   .   .   .   .   .
      `,
    );
    w.check("UDP/80, UDP/81", X_A_CLOSED);
  });

  it("egress ports restrict the destination port: x/a may only send UDP 53, anywhere", () => {
    const w = world([
      policy("x", "a-dns-only", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - ports: [{protocol: UDP, port: 53}]
      `),
    ]);
    w.check(
      "UDP/53",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   .   .   .   .   .   .   .   .   .
      x/b         .   .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .   .
      y/a         .   .   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .   .
      y/c         .   .   .   .   .   .   .   .   .   .
      z/a         .   .   .   .   .   .   .   .   .   .
      z/b         .   .   .   .   .   .   .   .   .   .
      z/c         .   .   .   .   .   .   .   .   .   .
      `,
    );
    w.check(
      "TCP/53, UDP/80, SCTP/53",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   X   X   X   X   X   X   X
      x/b         .   .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .   .
      y/a         .   .   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .   .
      y/c         .   .   .   .   .   .   .   .   .   .
      z/a         .   .   .   .   .   .   .   .   .   .
      z/b         .   .   .   .   .   .   .   .   .   .
      z/c         .   .   .   .   .   .   .   .   .   .
      `,
    );
  });
});
