// Endpoints that are not ordinary pods: hostNetwork pods (the node's address, outside the
// cluster for policy purposes) and pods without an address. SEMANTICS.md "Endpoints", "A peer".
import { describe, it } from "vitest";
import { type PodManifest, policy, world } from "./model.js";

/** A hostNetwork pod in x, labelled pod=h, sharing node address 172.18.0.2. */
const HOST_POD: PodManifest = {
  namespace: "x",
  name: "h",
  labels: { pod: "h" },
  ips: ["172.18.0.2"],
  hostNetwork: true,
  ports: [{ name: "serve-80-tcp", containerPort: 80, protocol: "TCP" }],
};

/** A pending pod in x, labelled pod=p: no status, so no address. */
const PENDING_POD: PodManifest = { namespace: "x", name: "p", labels: { pod: "p" }, ips: [] };

describe("conformance: endpoints", () => {
  it("a hostNetwork pod is an outside address: selectors never match it, ipBlock does, its policies do nothing", () => {
    world(
      [
        policy("x", "a-from-h-by-label", "podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{podSelector: {matchLabels: {pod: h}}}]"),
        policy("x", "b-from-node-cidr", "podSelector: {matchLabels: {pod: b}}\ningress:\n- from: [{ipBlock: {cidr: 172.18.0.0/16}}]"),
        policy("x", "c-to-h-by-label", `
          podSelector: {matchLabels: {pod: c}}
          policyTypes: [Egress]
          egress:
          - to: [{podSelector: {matchLabels: {pod: h}}}]
        `),
        policy("x", "h-deny-all", "podSelector: {matchLabels: {pod: h}}\npolicyTypes: [Ingress, Egress]"),
      ],
      [HOST_POD],
    ).check(
      "TCP/80",
      `
      -   x/a x/b x/c y/a y/b y/c z/a z/b z/c x/h
      x/a  .   X   .   .   .   .   .   .   .   .
      x/b  X   .   .   .   .   .   .   .   .   .
      x/c  X   X   .   X   X   X   X   X   X   X
      y/a  X   X   .   .   .   .   .   .   .   .
      y/b  X   X   .   .   .   .   .   .   .   .
      y/c  X   X   .   .   .   .   .   .   .   .
      z/a  X   X   .   .   .   .   .   .   .   .
      z/b  X   X   .   .   .   .   .   .   .   .
      z/c  X   X   .   .   .   .   .   .   .   .
      x/h  X   .   .   .   .   .   .   .   .   .
      `,
    );
  });

  it("a pod without an address is no endpoint: peers selecting it allow nothing, policies selecting it change nothing", () => {
    world(
      [
        policy("x", "a-from-p", "podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{podSelector: {matchLabels: {pod: p}}}]"),
        policy("x", "b-to-p", `
          podSelector: {matchLabels: {pod: b}}
          policyTypes: [Egress]
          egress:
          - to: [{podSelector: {matchLabels: {pod: p}}}]
        `),
        policy("x", "p-deny-all", "podSelector: {matchLabels: {pod: p}}\npolicyTypes: [Ingress, Egress]"),
      ],
      [PENDING_POD],
    ).check(
      "TCP/80, UDP/81",
      `
      -          x/a x/b x/c y/a y/b y/c z/a z/b z/c 192.0.2.10
      x/a         .   .   .   .   .   .   .   .   .   .
      x/b         X   .   X   X   X   X   X   X   X   X
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
});
