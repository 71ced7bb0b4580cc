// Label selectors: matchExpressions operators In/NotIn/Exists/DoesNotExist, in spec.podSelector
// and in peers, and matchLabels AND matchExpressions. SEMANTICS.md "Label selectors".
// Labels: x {env: prod}, y {env: dev}, z (no env); a {tier: web}, b {tier: db}, c (no tier).
import { describe, it } from "vitest";
import { policy, world } from "./model.js";

describe("conformance: label selectors", () => {
  it("In: pod In [a, b] selects x/a and x/b; ns In [x, y] admits sources from x and y", () => {
    world([
      policy("x", "in", `
        podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
        ingress:
        - from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: In, values: [x, "y"]}]}}]
      `),
    ]).check(
      "TCP/80, UDP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  X   X   .   .   .   .   .   .   .
      z/b  X   X   .   .   .   .   .   .   .
      z/c  X   X   .   .   .   .   .   .   .
      `,
    );
  });

  it("NotIn matches namespaces lacking the key: env NotIn [dev] admits x (prod) and z (no env)", () => {
    world([
      policy("y", "notin-ns", `
        podSelector: {}
        ingress:
        - from: [{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}}]
      `),
    ]).check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   X   X   .   .   .
      y/b  .   .   .   X   .   X   .   .   .
      y/c  .   .   .   X   X   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("NotIn matches pods lacking the key: tier NotIn [web] admits b (db) and c (no tier) everywhere", () => {
    world([
      policy("x", "notin-pod", `
        podSelector: {}
        ingress:
        - from:
          - namespaceSelector: {}
            podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [web]}]}
      `),
    ]).check(
      "TCP/80, SCTP/81",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   X   X   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  X   X   X   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  X   X   X   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("Exists: tier Exists selects z/a and z/b; env Exists admits sources from x and y", () => {
    world([
      policy("z", "exists", `
        podSelector: {matchExpressions: [{key: tier, operator: Exists}]}
        ingress:
        - from: [{namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}}]
      `),
    ]).check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  .   .   .   .   .   .   .   X   .
      z/b  .   .   .   .   .   .   X   .   .
      z/c  .   .   .   .   .   .   X   X   .
      `,
    );
  });

  it("DoesNotExist: tier DoesNotExist selects z/c; admits namespaces without env (z) or pods without tier", () => {
    world([
      policy("z", "does-not-exist", `
        podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}
        ingress:
        - from:
          - namespaceSelector: {matchExpressions: [{key: env, operator: DoesNotExist}]}
          - namespaceSelector: {}
            podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}
      `),
    ]).check(
      "TCP/80, UDP/81",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
      x/a  .   .   .   .   .   .   .   .   X
      x/b  .   .   .   .   .   .   .   .   X
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   X
      y/b  .   .   .   .   .   .   .   .   X
      y/c  .   .   .   .   .   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("matchLabels and every matchExpressions entry must all hold (AND within a selector)", () => {
    world([
      policy("x", "and", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from:
          - namespaceSelector:
              matchExpressions:
              - {key: ns, operator: In, values: [x, "y"]}
              - {key: env, operator: NotIn, values: [prod]}
            podSelector:
              matchLabels: {pod: b}
              matchExpressions: [{key: tier, operator: In, values: [db, web]}]
      `),
    ]).check(
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
});
