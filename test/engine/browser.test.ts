import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Every module reachable from an entry point, by following its relative imports. */
function closure(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, "utf8");
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
    seen.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith(".")) visit(join(dirname(file), s.replace(/\.js$/, ".ts")));
  };
  visit(join(SRC, entry));
  return seen;
}

describe("the browser entry point", () => {
  it("reaches no Node built-in module and uses no top-level await", () => {
    const modules = closure("browser.ts");
    expect(modules.size).toBeGreaterThan(20);
    for (const [file, specifiers] of modules) {
      const builtins = specifiers.filter((s) => s.startsWith("node:") || ["fs", "path", "os", "child_process"].includes(s));
      expect({ file: relative(SRC, file), builtins }).toEqual({ file: relative(SRC, file), builtins: [] });
      expect(readFileSync(file, "utf8"), relative(SRC, file)).not.toMatch(/^await |^const \w+ = await /m);
      expect(readFileSync(file, "utf8"), relative(SRC, file)).not.toMatch(/\bprocess\.|\bBuffer\./);
    }
  });

  it("the Node entry point does reach the file loader (the test sees imports)", () => {
    const files = [...closure("index.ts").keys()].map((f) => relative(SRC, f));
    expect(files).toContain("load/sources.ts");
  });
});
