// Isolation: which pods a policy isolates, in which direction, and what "isolated" leaves open.
// Tables written from /work/shared/SEMANTICS.md ("The decision", "Endpoints").
import { describe, it } from "vitest";
import { policy, world } from "./model.js";

const ALL_PROBES = "TCP/80, TCP/81, UDP/80, UDP/81, SCTP/80, SCTP/81";

describe("conformance: isolation", () => {
  it("no policy: nothing is isolated, every pair is allowed", () => {
    world([]).check(
      ALL_PROBES,
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
      192.0.2.10  .   .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("default deny ingress (podSelector {}, policyTypes [Ingress]) isolates every pod of x for ingress only", () => {
    world([policy("x", "deny-ingress", "podSelector: {}\npolicyTypes: [Ingress]")]).check(
      ALL_PROBES,
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   .   .   .   .   .   .   .
      x/b         X   .   X   .   .   .   .   .   .   .
      x/c         X   X   .   .   .   .   .   .   .   .
      y/a         X   X   X   .   .   .   .   .   .   .
      y/b         X   X   X   .   .   .   .   .   .   .
      y/c         X   X   X   .   .   .   .   .   .   .
      z/a         X   X   X   .   .   .   .   .   .   .
      z/b         X   X   X   .   .   .   .   .   .   .
      z/c         X   X   X   .   .   .   .   .   .   .
      192.0.2.10  X   X   X   .   .   .   .   .   .   .
      `,
    );
  });

  it("default deny egress (podSelector {}, policyTypes [Egress]) isolates every pod of x for egress only", () => {
    world([policy("x", "deny-egress", "podSelector: {}\npolicyTypes: [Egress]")]).check(
      ALL_PROBES,
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   X   X   X   X   X   X   X
      x/b         X   .   X   X   X   X   X   X   X   X
      x/c         X   X   .   X   X   X   X   X   X   X
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

  it("default deny in both directions (policyTypes [Ingress, Egress]) cuts x off except self traffic", () => {
    world([policy("x", "deny-all", "podSelector: {}\npolicyTypes: [Ingress, Egress]")]).check(
      ALL_PROBES,
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   X   X   X   X   X   X   X
      x/b         X   .   X   X   X   X   X   X   X   X
      x/c         X   X   .   X   X   X   X   X   X   X
      y/a         X   X   X   .   .   .   .   .   .   .
      y/b         X   X   X   .   .   .   .   .   .   .
      y/c         X   X   X   .   .   .   .   .   .   .
      z/a         X   X   X   .   .   .   .   .   .   .
      z/b         X   X   X   .   .   .   .   .   .   .
      z/c         X   X   X   .   .   .   .   .   .   .
      192.0.2.10  X   X   X   .   .   .   .   .   .   .
      `,
    );
  });

  it("an empty spec selects every pod of its namespace and defaults to deny ingress", () => {
    world([policy("y", "empty", "")]).check(
      "TCP/80, UDP/81, SCTP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   .   X   X   X   .   .   .
      x/b         .   .   .   X   X   X   .   .   .
      x/c         .   .   .   X   X   X   .   .   .
      y/a         .   .   .   .   X   X   .   .   .
      y/b         .   .   .   X   .   X   .   .   .
      y/c         .   .   .   X   X   .   .   .   .
      z/a         .   .   .   X   X   X   .   .   .
      z/b         .   .   .   X   X   X   .   .   .
      z/c         .   .   .   X   X   X   .   .   .
      192.0.2.10  .   .   .   X   X   X   .   .   .
      `,
    );
  });

  it("a policy selects pods of its own namespace only: pod=a in y isolates y/a, not x/a or z/a", () => {
    world([policy("y", "deny-a", "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Ingress, Egress]")]).check(
      "TCP/80, UDP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   X   .   .   .   .   .
      x/b  .   .   .   X   .   .   .   .   .
      x/c  .   .   .   X   .   .   .   .   .
      y/a  X   X   X   .   X   X   X   X   X
      y/b  .   .   .   X   .   .   .   .   .
      y/c  .   .   .   X   .   .   .   .   .
      z/a  .   .   .   X   .   .   .   .   .
      z/b  .   .   .   X   .   .   .   .   .
      z/c  .   .   .   X   .   .   .   .   .
      `,
    );
  });

  it("a policy whose podSelector matches no pod isolates nobody", () => {
    world([policy("x", "nobody", "podSelector: {matchLabels: {pod: nobody}}\npolicyTypes: [Ingress, Egress]")]).check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("self traffic is allowed even when every pod of every namespace denies everything", () => {
    const denyAll = (ns: string) => policy(ns, "deny-all", "podSelector: {}\npolicyTypes: [Ingress, Egress]");
    world([denyAll("x"), denyAll("y"), denyAll("z")]).check(
      ALL_PROBES,
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   X   X   X   X   X   X   X   X   X
      x/b         X   .   X   X   X   X   X   X   X   X
      x/c         X   X   .   X   X   X   X   X   X   X
      y/a         X   X   X   .   X   X   X   X   X   X
      y/b         X   X   X   X   .   X   X   X   X   X
      y/c         X   X   X   X   X   .   X   X   X   X
      z/a         X   X   X   X   X   X   .   X   X   X
      z/b         X   X   X   X   X   X   X   .   X   X
      z/c         X   X   X   X   X   X   X   X   .   X
      192.0.2.10  X   X   X   X   X   X   X   X   X   .
      `,
    );
  });

  it("allow-all ingress [{}] opens a pod even under a namespace-wide default deny", () => {
    world([
      policy("x", "deny-ingress", "podSelector: {}\npolicyTypes: [Ingress]"),
      policy("x", "allow-all-to-a", "podSelector: {matchLabels: {pod: a}}\ningress: [{}]"),
    ]).check(
      ALL_PROBES,
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
  });

  it("several policies selecting one pod are additive, in any order", () => {
    const fromB = policy("x", "a-from-b", "podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{podSelector: {matchLabels: {pod: b}}}]");
    const fromZ = policy("x", "all-from-z", "podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: z}}}]");
    const table = `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   X   X   .   .   .   .   .   .
      x/b  .   .   X   .   .   .   .   .   .
      x/c  X   X   .   .   .   .   .   .   .
      y/a  X   X   X   .   .   .   .   .   .
      y/b  X   X   X   .   .   .   .   .   .
      y/c  X   X   X   .   .   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .
      `;
    world([fromB, fromZ]).check("TCP/80, UDP/81", table);
    world([fromZ, fromB]).check("TCP/80, UDP/81", table);
  });
});
