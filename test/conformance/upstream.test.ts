// Scenarios named after the upstream e2e tests (kubernetes/kubernetes test/e2e/network/netpol/
// network_policy.go), where both directions of one connection meet. SEMANTICS.md "The decision".
import { describe, it } from "vitest";
import { policy, world } from "./model.js";

describe("conformance: upstream e2e scenarios", () => {
  it("should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)", () => {
    world([
      policy("x", "a-egress-own-ns", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to: [{podSelector: {}}]
      `),
      policy("y", "a-from-x", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from: [{namespaceSelector: {matchLabels: {ns: x}}}]
      `),
    ]).check(
      "TCP/80, UDP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   X   X   X   X   X   X
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   X   .   .   .   .   .
      y/c  .   .   .   X   .   .   .   .   .
      z/a  .   .   .   X   .   .   .   .   .
      z/b  .   .   .   X   .   .   .   .   .
      z/c  .   .   .   X   .   .   .   .   .
      `,
    );
  });

  it("should work with Ingress, Egress specified together: one policy's rules apply in both directions", () => {
    world([
      policy("x", "a-both", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress, Egress]
        ingress:
        - from: [{podSelector: {matchLabels: {pod: b}}}]
        egress:
        - to: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
      `),
    ]).check(
      "TCP/80, TCP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   .   .   .   X   X   X   X
      x/b         .   .   .   .   .   .   .   .   .   .
      x/c         X   .   .   .   .   .   .   .   .   .
      y/a         X   .   .   .   .   .   .   .   .   .
      y/b         X   .   .   .   .   .   .   .   .   .
      y/c         X   .   .   .   .   .   .   .   .   .
      z/a         X   .   .   .   .   .   .   .   .   .
      z/b         X   .   .   .   .   .   .   .   .   .
      z/c         X   .   .   .   .   .   .   .   .   .
      192.0.2.10  X   .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("should enforce multiple egress policies with egress allow-all policy taking precedence", () => {
    const narrow = policy("x", "a-to-b-80", `
      podSelector: {matchLabels: {pod: a}}
      policyTypes: [Egress]
      egress:
      - to: [{podSelector: {matchLabels: {pod: b}}}]
        ports: [{port: 80}]
    `);
    const allowAll = policy("x", "a-allow-all-egress", "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress: [{}]");
    const open = `
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
      `;
    const onlyXbOn80 = `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   .   X   X   X   X   X   X   X   X
      x/b         .   .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .   .
      y/a         .   .   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .   .
      y/c         .   .   .   .   .   .   .   .   .   .
      z/a         .   .   .   .   .   .   .   .   .   .
      z/b         .   .   .   .   .   .   .   .   .   .
      z/c         .   .   .   .   .   .   .   .   .   .
      `;
    world([narrow]).check("TCP/80", onlyXbOn80);
    world([narrow]).check(
      "TCP/81, UDP/80",
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
    world([narrow, allowAll]).check("TCP/80, TCP/81, UDP/80, SCTP/81", open);
  });

  it("should allow egress access to server in CIDR block, and only there, from every pod of x", () => {
    world([
      policy("x", "egress-to-z-cidr", `
        podSelector: {}
        policyTypes: [Egress]
        egress:
        - to: [{ipBlock: {cidr: 10.0.3.0/30}}]
      `),
    ]).check(
      "TCP/80, UDP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   X   X   X   .   .   .   X
      x/b         X   .   X   X   X   X   .   .   .   X
      x/c         X   X   .   X   X   X   .   .   .   X
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
