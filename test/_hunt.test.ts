import fc from "fast-check";
import { it } from "vitest";
import { checkLive, liveScenario, liveSplitScenario } from "./engine/live-property.js";
it("hunt", () => {
  const paths = { addresses: 0, incremental: 0, recompiled: 0, none: 0, refused: 0 };
  for (let seed = 1; seed < 25; seed++) {
    for (const sc of [liveScenario, liveSplitScenario]) {
      const r = fc.check(fc.property(sc, (s) => checkLive(s, paths)), { numRuns: 300, seed });
      if (r.failed) { console.log("SEED", seed, String(r.errorInstance).slice(0, 1500)); console.log(JSON.stringify(r.counterexample)); return; }
    }
  }
  console.log("OK", paths);
}, 900_000);
