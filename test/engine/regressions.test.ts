import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ClusterObjects, FlowText } from "../../src/fuzz/index.js";
import { agree } from "./agree.js";

/** Shrunk counterexamples (from `npm run fuzz` or from mutation checks), replayed on every run. */
const dir = new URL("./regressions/", import.meta.url);
const cases = readdirSync(dir).filter((f) => f.endsWith(".json"));

describe("regressions: wasm verdict equals reference verdict", () => {
  it("has cases to replay", () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)("%s", (file) => {
    // `extra`: admin-tier policies and Nodes, when the case has them.
    const { cluster, flows, extra } = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as { cluster: ClusterObjects; flows: FlowText[]; extra?: object[] };
    agree(cluster, flows, extra);
  });
});
