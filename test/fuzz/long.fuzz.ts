/**
 * `npm run fuzz -- --minutes N`: the differential property for as long as asked, on fresh
 * seeds; every other round adds admin tiers (ANPs, the baseline, ClusterNetworkPolicies, Nodes),
 * and every fifth round is live updates (engine.apply against the final state's reference and a
 * whole compile of it; the split scenarios, few policies and many pods, every other time; a
 * counterexample of those is saved to test/engine/regressions/live/ and printed with its seed).
 * A failure is shrunk, saved to test/engine/regressions/ (replayed by every `npm test` from
 * then on) and reported.
 */
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { expect, it } from "vitest";
import { clusterObjects, flowFor, tiersWithNodes } from "../../src/fuzz/index.js";
import { agree } from "../engine/agree.js";
import { checkLive, liveScenario, liveSplitScenario } from "../engine/live-property.js";

const minutes = Number(process.env.FUZZ_MINUTES ?? "1");

it(`wasm verdict equals reference verdict for ${minutes} minute(s)`, () => {
  const until = Date.now() + minutes * 60_000;
  let runs = 0;
  let live = 0;
  for (let round = 0; Date.now() < until; round++) {
    if (round % 5 === 4) {
      const paths = { addresses: 0, incremental: 0, recompiled: 0, none: 0, refused: 0 };
      const scenarios = round % 10 === 4 ? liveScenario : liveSplitScenario;
      const result = fc.check(fc.property(scenarios, (scenario) => checkLive(scenario, paths)), { numRuns: 100 });
      live += result.numRuns;
      if (result.failed) {
        const file = new URL(`../engine/regressions/live/fuzz-${result.seed}.json`, import.meta.url);
        writeFileSync(file, `${JSON.stringify({ note: `npm run fuzz, seed ${result.seed}: ${String(result.errorInstance).split("\n")[0]}`, scenario: result.counterexample![0] }, null, 1)}\n`);
        expect.fail(`live updates: seed ${result.seed}, path ${result.counterexamplePath} (saved to ${file.pathname}):\n${String(result.errorInstance)}`);
      }
      continue;
    }
    const maxRules = 1 + (runs % 5);
    const tiers = (runs / 200) % 2 === 1 ? tiersWithNodes() : fc.constant([] as object[]);
    const scenario = clusterObjects({ maxRules, maxPods: 4 + (runs % 12) }).chain((c) => fc.tuple(fc.constant(c), fc.array(flowFor(c), { minLength: 1, maxLength: 60 }), tiers));
    const result = fc.check(fc.property(scenario, ([c, flows, extra]) => agree(c, flows, extra)), { numRuns: 200 });
    runs += result.numRuns;
    if (result.failed && result.counterexample) {
      const [[cluster, flows, extra]] = result.counterexample;
      const file = new URL(`../engine/regressions/fuzz-seed-${result.seed}.json`, import.meta.url);
      writeFileSync(file, JSON.stringify({ why: `npm run fuzz, seed ${result.seed}`, cluster, flows, ...(extra.length > 0 ? { extra } : {}) }, null, 1) + "\n");
      expect.fail(`counterexample saved to ${file.pathname}:\n${fc.stringify(result.counterexample)}\n${String(result.errorInstance)}`);
    }
  }
  console.log(`fuzz: ${runs} scenarios and ${live} live-update sequences, no disagreement`);
});
