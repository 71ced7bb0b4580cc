/** Loading one text in a test, and collecting the errors of a rejected one. */
import { expect } from "vitest";
import { type Diagnostic, PolicyError } from "../../src/load/diagnostics.js";
import { type Loaded, loadCluster } from "../../src/model/load.js";

export function load(text: string, file = "in.yaml"): Loaded {
  return loadCluster([{ file, text }], { strict: false });
}

export function errors(text: string, file = "in.yaml"): Diagnostic[] {
  try {
    load(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).diagnostics.filter((d) => d.severity === "error");
  }
  throw new Error("expected the input to be rejected");
}
