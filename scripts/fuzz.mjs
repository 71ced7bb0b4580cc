// npm run fuzz -- --minutes N: runs the differential fuzzer (test/fuzz/) for N minutes.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { minutes: { type: "string", default: "1" } } });
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`fuzz: --minutes takes a positive number, got ${JSON.stringify(values.minutes)}`);
  process.exit(2);
}
const r = spawnSync("npx", ["vitest", "run", "--config", "vitest.fuzz.config.ts"], {
  stdio: "inherit",
  env: { ...process.env, FUZZ_MINUTES: String(minutes) },
});
process.exit(r.status ?? 1);
