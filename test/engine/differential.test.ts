import fc from "fast-check";
import { describe, it } from "vitest";
import { adminTiers, clusterObjects, flowFor, tiersWithNodes } from "../../src/fuzz/index.js";
import { agree } from "./agree.js";

const scenario = (maxRules?: number) =>
  clusterObjects({ maxRules }).chain((c) => fc.tuple(fc.constant(c), fc.array(flowFor(c), { minLength: 1, maxLength: 40 })));

describe("wasm engine against the reference evaluator", () => {
  it("wasm verdicts and reasons equal the reference evaluator's on random clusters and flows", () => {
    fc.assert(fc.property(scenario(), ([c, flows]) => agree(c, flows)), { numRuns: 1000 });
  });

  it("wasm verdicts and reasons equal the reference evaluator's on policy-heavy clusters", () => {
    fc.assert(fc.property(scenario(5), ([c, flows]) => agree(c, flows)), { numRuns: 200 });
  });

  it("wasm verdicts and reasons (Pass rules included) equal the reference evaluator's with admin tiers", () => {
    fc.assert(fc.property(scenario(), adminTiers(4), ([c, flows], tiers) => agree(c, flows, tiers)), { numRuns: 500 });
  });

  it("… and with ClusterNetworkPolicies of both tiers, nodes peers and fail-closed domainNames peers", () => {
    fc.assert(fc.property(scenario(), tiersWithNodes(), ([c, flows], objects) => agree(c, flows, objects)), { numRuns: 500 });
  });
});
