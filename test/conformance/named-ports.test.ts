// Named ports: resolved on the destination pod's container ports with the same name and
// protocol (ingress: the selected pod; egress: the peer pod); never on a non-pod destination.
// SEMANTICS.md "Ports". Every pod serves serve-{80,81}-{tcp,udp,sctp}; `web` is 80/TCP on a,
// 81/TCP on b and 80/UDP on c.
import { describe, it } from "vitest";
import { policy, world } from "./model.js";

const X_CLOSED = `
  -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
  x/a         .   X   X   .   .   .   .   .   .
  x/b         X   .   X   .   .   .   .   .   .
  x/c         X   X   .   .   .   .   .   .   .
  y/a         X   X   X   .   .   .   .   .   .
  y/b         X   X   X   .   .   .   .   .   .
  y/c         X   X   X   .   .   .   .   .   .
  z/a         X   X   X   .   .   .   .   .   .
  z/b         X   X   X   .   .   .   .   .   .
  z/c         X   X   X   .   .   .   .   .   .
  192.0.2.10  X   X   X   .   .   .   .   .   .
`;

/** Every pod of x isolated for ingress, with one rule allowing the given ports from anywhere. */
const xPorts = (ports: string) => policy("x", "x-ports", `podSelector: {}\ningress:\n- ports: ${ports}`);

/** x/a may send only on the given ports, to the given destinations (absent: anywhere). */
const aEgress = (rule: string) =>
  policy("x", "a-egress", `podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- ${rule}`);

describe("conformance: named ports", () => {
  it("an ingress named port resolves on the selected pod: web is 80 on x/a, 81 on x/b, UDP on x/c", () => {
    const w = world([xPorts("[{port: web}]")]);
    w.check(
      "TCP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   X   X   .   .   .   .   .   .
      x/b         .   .   X   .   .   .   .   .   .
      x/c         .   X   .   .   .   .   .   .   .
      y/a         .   X   X   .   .   .   .   .   .
      y/b         .   X   X   .   .   .   .   .   .
      y/c         .   X   X   .   .   .   .   .   .
      z/a         .   X   X   .   .   .   .   .   .
      z/b         .   X   X   .   .   .   .   .   .
      z/c         .   X   X   .   .   .   .   .   .
      192.0.2.10  .   X   X   .   .   .   .   .   .
      `,
    );
    w.check(
      "TCP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   X   .   .   .   .   .   .
      x/b         X   .   X   .   .   .   .   .   .
      x/c         X   .   .   .   .   .   .   .   .
      y/a         X   .   X   .   .   .   .   .   .
      y/b         X   .   X   .   .   .   .   .   .
      y/c         X   .   X   .   .   .   .   .   .
      z/a         X   .   X   .   .   .   .   .   .
      z/b         X   .   X   .   .   .   .   .   .
      z/c         X   .   X   .   .   .   .   .   .
      192.0.2.10  X   .   X   .   .   .   .   .   .
      `,
    );
    w.check("UDP/80, UDP/81, SCTP/80", X_CLOSED);
  });

  it("a named port with a protocol other than the container port's matches nothing", () => {
    const w = world([xPorts("[{port: web, protocol: UDP}, {port: serve-81-udp}]")]);
    w.check(
      "UDP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   X   .   .   .   .   .   .   .
      x/b         X   .   .   .   .   .   .   .   .
      x/c         X   X   .   .   .   .   .   .   .
      y/a         X   X   .   .   .   .   .   .   .
      y/b         X   X   .   .   .   .   .   .   .
      y/c         X   X   .   .   .   .   .   .   .
      z/a         X   X   .   .   .   .   .   .   .
      z/b         X   X   .   .   .   .   .   .   .
      z/c         X   X   .   .   .   .   .   .   .
      192.0.2.10  X   X   .   .   .   .   .   .   .
      `,
    );
    w.check("TCP/80, TCP/81, UDP/81, SCTP/81", X_CLOSED);
  });

  it("upstream port names with their own protocol: serve-81-udp over UDP opens UDP 81 only", () => {
    const w = world([xPorts("[{protocol: UDP, port: serve-81-udp}]")]);
    w.check(
      "UDP/81",
      `
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
      `,
    );
    w.check("UDP/80, TCP/81, SCTP/81", X_CLOSED);
  });

  it("a named port that no pod defines matches nothing", () => {
    world([xPorts("[{port: no-such-port}, {protocol: SCTP, port: no-such-port}]")]).check(
      "TCP/80, TCP/81, SCTP/80, UDP/81",
      X_CLOSED,
    );
  });

  it("an egress named port resolves on the destination pod, not on the sending pod", () => {
    const w = world([aEgress("ports: [{port: web}]")]);
    const row = (xa: string) => `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         ${xa}
      x/b         .   .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .   .
      y/a         .   .   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .   .
      y/c         .   .   .   .   .   .   .   .   .   .
      z/a         .   .   .   .   .   .   .   .   .   .
      z/b         .   .   .   .   .   .   .   .   .   .
      z/c         .   .   .   .   .   .   .   .   .   .
      `;
    w.check("TCP/80", row(".   X   X   .   X   X   .   X   X   X"));
    w.check("TCP/81", row(".   .   X   X   .   X   X   .   X   X"));
    w.check("UDP/80, UDP/81", row(".   X   X   X   X   X   X   X   X   X"));
  });

  it("a named port never matches a destination outside the cluster, even inside the ipBlock", () => {
    const w = world([aEgress("to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n  ports: [{port: serve-80-tcp}]")]);
    const row = (xa: string) => `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10 203.0.113.5
      x/a         ${xa}
      x/b         .   .   .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .   .   .
      y/a         .   .   .   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .   .   .
      y/c         .   .   .   .   .   .   .   .   .   .   .
      z/a         .   .   .   .   .   .   .   .   .   .   .
      z/b         .   .   .   .   .   .   .   .   .   .   .
      z/c         .   .   .   .   .   .   .   .   .   .   .
      `;
    w.check("TCP/80", row(".   .   .   .   .   .   .   .   .   X   X"));
    w.check("TCP/81, UDP/80", row(".   X   X   X   X   X   X   X   X   X   X"));
  });

  it("an ingress named port applies to sources outside the cluster (it resolves on the destination pod)", () => {
    world([
      policy("x", "a-from-outside", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from: [{ipBlock: {cidr: 192.0.2.0/24}}]
          ports: [{port: serve-80-tcp}]
      `),
    ]).check(
      "TCP/80",
      `
      -           x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a          .   .   .   .   .   .   .   .   .
      x/b          X   .   .   .   .   .   .   .   .
      x/c          X   .   .   .   .   .   .   .   .
      y/a          X   .   .   .   .   .   .   .   .
      y/b          X   .   .   .   .   .   .   .   .
      y/c          X   .   .   .   .   .   .   .   .
      z/a          X   .   .   .   .   .   .   .   .
      z/b          X   .   .   .   .   .   .   .   .
      z/c          X   .   .   .   .   .   .   .   .
      192.0.2.10   .   .   .   .   .   .   .   .   .
      203.0.113.5  X   .   .   .   .   .   .   .   .
      `,
    );
  });
});
