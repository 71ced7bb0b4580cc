// Peers: podSelector, namespaceSelector, both in one peer (AND) or in two (OR), egress peers.
// SEMANTICS.md "A peer". The target is x/a unless the name says otherwise.
import { describe, it } from "vitest";
import { policy, world } from "./model.js";

const toA = (from: string) => policy("x", "a-ingress", `podSelector: {matchLabels: {pod: a}}\ningress:\n- from: ${from}`);

describe("conformance: peers", () => {
  it("podSelector alone selects pods in the policy's namespace only (not y/b, z/b)", () => {
    world([toA("[{podSelector: {matchLabels: {pod: b}}}]")]).check(
      "TCP/80, UDP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   .   .   .   .   .   .   .
      x/b         .   .   .   .   .   .   .   .   .
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

  it("namespaceSelector alone selects every pod of the matching namespaces (not the policy's own)", () => {
    world([toA(`[{namespaceSelector: {matchLabels: {ns: "y"}}}]`)]).check(
      "TCP/80, UDP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   .   .   .   .   .   .   .
      x/b         X   .   .   .   .   .   .   .   .
      x/c         X   .   .   .   .   .   .   .   .
      y/a         .   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .
      y/c         .   .   .   .   .   .   .   .   .
      z/a         X   .   .   .   .   .   .   .   .
      z/b         X   .   .   .   .   .   .   .   .
      z/c         X   .   .   .   .   .   .   .   .
      192.0.2.10  X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("podSelector and namespaceSelector in one peer are ANDed: pod b in namespace y only", () => {
    world([toA(`[{namespaceSelector: {matchLabels: {ns: "y"}}, podSelector: {matchLabels: {pod: b}}}]`)]).check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  X   .   .   .   .   .   .   .   .
      x/c  X   .   .   .   .   .   .   .   .
      y/a  X   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  X   .   .   .   .   .   .   .   .
      z/a  X   .   .   .   .   .   .   .   .
      z/b  X   .   .   .   .   .   .   .   .
      z/c  X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("podSelector and namespaceSelector as two list items are ORed: all of y, plus x/b", () => {
    world([toA(`[{namespaceSelector: {matchLabels: {ns: "y"}}}, {podSelector: {matchLabels: {pod: b}}}]`)]).check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  X   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  X   .   .   .   .   .   .   .   .
      z/b  X   .   .   .   .   .   .   .   .
      z/c  X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("namespaceSelector {} with a podSelector selects that pod in every namespace", () => {
    world([toA("[{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]")]).check(
      "TCP/80",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   .   .   .   .   .   .   .
      x/b         .   .   .   .   .   .   .   .   .
      x/c         X   .   .   .   .   .   .   .   .
      y/a         X   .   .   .   .   .   .   .   .
      y/b         .   .   .   .   .   .   .   .   .
      y/c         X   .   .   .   .   .   .   .   .
      z/a         X   .   .   .   .   .   .   .   .
      z/b         .   .   .   .   .   .   .   .   .
      z/c         X   .   .   .   .   .   .   .   .
      192.0.2.10  X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("namespaceSelector {} alone selects every pod of the cluster but no address outside it", () => {
    world([toA("[{namespaceSelector: {}}]")]).check(
      "TCP/80, SCTP/81",
      `
      -           x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a          .   .   .   .   .   .   .   .   .
      x/b          .   .   .   .   .   .   .   .   .
      x/c          .   .   .   .   .   .   .   .   .
      y/a          .   .   .   .   .   .   .   .   .
      y/b          .   .   .   .   .   .   .   .   .
      y/c          .   .   .   .   .   .   .   .   .
      z/a          .   .   .   .   .   .   .   .   .
      z/b          .   .   .   .   .   .   .   .   .
      z/c          .   .   .   .   .   .   .   .   .
      192.0.2.10   X   .   .   .   .   .   .   .   .
      203.0.113.5  X   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("podSelector {} alone selects every pod of the policy's namespace (ingress from own namespace only)", () => {
    world([policy("x", "same-ns", "podSelector: {}\ningress:\n- from: [{podSelector: {}}]")]).check(
      "TCP/80, UDP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a         .   .   .   .   .   .   .   .   .
      x/b         .   .   .   .   .   .   .   .   .
      x/c         .   .   .   .   .   .   .   .   .
      y/a         X   X   X   .   .   .   .   .   .
      y/b         X   X   X   .   .   .   .   .   .
      y/c         X   X   X   .   .   .   .   .   .
      z/a         X   X   X   .   .   .   .   .   .
      z/b         X   X   X   .   .   .   .   .   .
      z/c         X   X   X   .   .   .   .   .   .
      192.0.2.10  X   X   X   .   .   .   .   .   .
      `,
    );
  });

  it("kubernetes.io/metadata.name selects a namespace by name, though no manifest sets that label", () => {
    world([toA("[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}}]")]).check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  X   .   .   .   .   .   .   .   .
      x/c  X   .   .   .   .   .   .   .   .
      y/a  X   .   .   .   .   .   .   .   .
      y/b  X   .   .   .   .   .   .   .   .
      y/c  X   .   .   .   .   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("egress peers select destinations the same way: pod c in y (AND), or pod b in x (OR)", () => {
    world([
      policy("x", "a-egress", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - namespaceSelector: {matchLabels: {ns: "y"}}
            podSelector: {matchLabels: {pod: c}}
          - podSelector: {matchLabels: {pod: b}}
      `),
    ]).check(
      "TCP/80, UDP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   .   X   X   X   .   X   X   X   X
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
});
