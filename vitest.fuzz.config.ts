import { defineConfig } from "vitest/config";

const minutes = Number(process.env.FUZZ_MINUTES ?? "1");

export default defineConfig({
  test: {
    include: ["test/fuzz/**/*.fuzz.ts"],
    testTimeout: (minutes + 2) * 60_000,
  },
});
