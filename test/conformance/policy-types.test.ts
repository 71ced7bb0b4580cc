// policyTypes defaulting and empty lists: SEMANTICS.md "policyTypes defaulting" and "A rule",
// VALIDATION.md §3 (defaults) and §10 (odd but valid).
import { describe, it } from "vitest";
import { policy, world } from "./model.js";

describe("conformance: policyTypes and empty lists", () => {
  it("absent policyTypes with only egress rules isolates both directions", () => {
    world([
      policy("x", "a-to-y", `
        podSelector: {matchLabels: {pod: a}}
        egress:
        - to: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
      `),
    ]).check(
      "TCP/80, UDP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   .   .   .   X   X   X   X
      x/b         X   .   .   .   .   .   .   .   .   .
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

  it("empty policyTypes [] is defaulted like absent policyTypes (Ingress, plus Egress for egress rules)", () => {
    world([
      policy("x", "b-to-c", `
        podSelector: {matchLabels: {pod: b}}
        policyTypes: []
        egress:
        - to: [{podSelector: {matchLabels: {pod: c}}}]
      `),
    ]).check(
      "TCP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   .   .   .   .   .   .   .   .
      x/b         X   .   .   X   X   X   X   X   X   X
      x/c         .   X   .   .   .   .   .   .   .   .
      y/a         .   X   .   .   .   .   .   .   .   .
      y/b         .   X   .   .   .   .   .   .   .   .
      y/c         .   X   .   .   .   .   .   .   .   .
      z/a         .   X   .   .   .   .   .   .   .   .
      z/b         .   X   .   .   .   .   .   .   .   .
      z/c         .   X   .   .   .   .   .   .   .   .
      192.0.2.10  .   X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("egress: [] adds no Egress policyType: only ingress is isolated", () => {
    world([
      policy("x", "a-from-b", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from: [{podSelector: {matchLabels: {pod: b}}}]
        egress: []
      `),
    ]).check(
      "TCP/80, SCTP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   .   .   .   .   .   .   .   .   .
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

  it("policyTypes [Egress] ignores the ingress rules and, with no egress rules, denies all egress", () => {
    world([
      policy("x", "egress-only", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        ingress:
        - from: [{podSelector: {matchLabels: {pod: b}}}]
      `),
    ]).check(
      "TCP/80, UDP/80",
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
      192.0.2.10  .   .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("policyTypes [Ingress] ignores the egress rules", () => {
    world([
      policy("x", "ingress-only", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from: [{podSelector: {matchLabels: {pod: c}}}]
        egress:
        - to: [{podSelector: {matchLabels: {pod: b}}}]
      `),
    ]).check(
      "TCP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   .   .   .   .   .   .   .   .   .
      x/b         X   .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .   .
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

  it("ingress: [] with policyTypes [Ingress, Egress] and egress: [] denies both directions", () => {
    world([
      policy("x", "explicit-empty", `
        podSelector: {matchLabels: {pod: c}}
        policyTypes: [Ingress, Egress]
        ingress: []
        egress: []
      `),
    ]).check(
      "TCP/81, SCTP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   .   X   .   .   .   .   .   .   .
      x/b         .   .   X   .   .   .   .   .   .   .
      x/c         X   X   .   X   X   X   X   X   X   X
      y/a         .   .   X   .   .   .   .   .   .   .
      y/b         .   .   X   .   .   .   .   .   .   .
      y/c         .   .   X   .   .   .   .   .   .   .
      z/a         .   .   X   .   .   .   .   .   .   .
      z/b         .   .   X   .   .   .   .   .   .   .
      z/c         .   .   X   .   .   .   .   .   .   .
      192.0.2.10  .   .   X   .   .   .   .   .   .   .
      `,
    );
  });

  it("empty from and empty ports lists mean every peer and every port", () => {
    world([
      policy("x", "deny-ingress", "podSelector: {}\npolicyTypes: [Ingress]"),
      policy("x", "a-from-empty", "podSelector: {matchLabels: {pod: a}}\ningress:\n- from: []"),
      policy("x", "b-ports-empty", "podSelector: {matchLabels: {pod: b}}\ningress:\n- ports: []"),
    ]).check(
      "TCP/80, UDP/81, SCTP/80, TCP/8080",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   X   .   .   .   .   .   .
      x/b         .   .   X   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .
      y/a         .   .   X   .   .   .   .   .   .
      y/b         .   .   X   .   .   .   .   .   .
      y/c         .   .   X   .   .   .   .   .   .
      z/a         .   .   X   .   .   .   .   .   .
      z/b         .   .   X   .   .   .   .   .   .
      z/c         .   .   X   .   .   .   .   .   .
      192.0.2.10  .   .   X   .   .   .   .   .   .
      `,
    );
  });
});
