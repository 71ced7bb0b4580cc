/**
 * Hostile input fails cleanly: a PolicyError with diagnostics (no stack trace, no crash of the
 * process, no hang), in bounded time and memory. The bounds are the per-test timeouts only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_DEPTH, MAX_SCALAR_LENGTH } from "../../src/load/compose.js";
import { type Diagnostic, PolicyError } from "../../src/load/diagnostics.js";
import { loadPaths } from "../../src/model/files.js";
import { loadCluster } from "../../src/model/load.js";

const MB = 1024 * 1024;
const DEEP = 20_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "netpol-hostile-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The PolicyError a load must end in; anything else (another error, success) fails the test. */
function rejected(run: () => unknown): Diagnostic[] {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  return cleanly(caught);
}

async function rejectedAsync(run: () => Promise<unknown>): Promise<Diagnostic[]> {
  return cleanly(await run().then(() => undefined, (e: unknown) => e));
}

function cleanly(caught: unknown): Diagnostic[] {
  expect(caught).toBeInstanceOf(PolicyError);
  const e = caught as PolicyError;
  const errors = e.diagnostics.filter((d) => d.severity === "error");
  expect(errors.length).toBeGreaterThan(0);
  for (const d of errors) expect(d.message).not.toMatch(/\n\s+at |Maximum call stack|RangeError|internal:/);
  return errors;
}

const text = (t: string) => () => loadCluster([{ file: "hostile.yaml", text: t }], { strict: false });

/** Deterministic pseudo-random bytes drawn from an alphabet, without building a 50 MB string by concatenation. */
function garbage(size: number, alphabet: string, first?: string): Buffer {
  const letters = Buffer.from(alphabet, "latin1");
  const out = Buffer.allocUnsafe(size);
  let seed = 0x2545f491;
  for (let i = 0; i < size; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    out[i] = letters[(seed >>> 0) % letters.length]!;
  }
  if (first !== undefined) out.write(first, 0, "latin1");
  return out;
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("a ~50 MB garbage file", () => {
  it("YAML-looking garbage is rejected", async () => {
    const path = file("garbage.yaml", garbage(50 * MB, "key: value - [ ] { } , ' \" & * ! | > # % @ ` ? \t \n abc 123", "k"));
    const errors = await rejectedAsync(() => loadPaths([path]));
    expect(errors[0]!.file).toBe(path);
  }, 120_000);

  it("JSON-looking garbage is rejected", async () => {
    const path = file("garbage.json", garbage(50 * MB, '{}[]":,0123abc \n\\', "{"));
    const errors = await rejectedAsync(() => loadPaths([path]));
    expect(errors[0]!.file).toBe(path);
  }, 120_000);

  it("plain words over many lines are rejected", async () => {
    const path = file("words.yaml", garbage(50 * MB, "abcdefgh ij:\n-", "a"));
    await rejectedAsync(() => loadPaths([path]));
  }, 120_000);
});

describe(`${DEEP.toLocaleString("en")}-deep nesting`, () => {
  /** Each key one space deeper than the last: about 200 MB of indentation. */
  const indentedMappings = () => Array.from({ length: DEEP }, (_, i) => `${" ".repeat(i)}a:`).join("\n") + "\n";

  it("flow sequences never closed are rejected", () => {
    expect(rejected(text("[".repeat(DEEP)))[0]).toMatchObject({ file: "hostile.yaml", line: 1 });
    expect(rejected(text(`a: ${"[".repeat(DEEP)}`))[0]).toMatchObject({ file: "hostile.yaml", line: 1 });
  });

  it.each([
    ["flow sequences, closed", () => "[".repeat(DEEP) + "]".repeat(DEEP)],
    ["flow sequences under a key", () => `a: ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n`],
    ["flow mappings", () => `a: ${"{a: ".repeat(DEEP)}1${"}".repeat(DEEP)}\n`],
    ["JSON objects", () => `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`],
    ["nested Lists", () => `${'{"apiVersion":"v1","kind":"List","items":['.repeat(DEEP)}${"]}".repeat(DEEP)}`],
    ["inside a field that is not decoded", () => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus:\n  x: ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n`],
    ["block sequences, compact", () => `${"- ".repeat(DEEP)}x\n`],
    ["block mappings, indented", indentedMappings],
  ])("%s are rejected", (_shape, make) => {
    const errors = rejected(text(make()));
    expect(errors.some((d) => /nested too deeply/.test(d.message))).toBe(true);
    expect(errors[0]).toMatchObject({ file: "hostile.yaml" });
    expect(errors[0]!.line).toBeGreaterThan(0);
  }, 60_000);

  it(`nesting up to ${MAX_DEPTH} levels still loads`, () => {
    const pod = (brackets: number) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus:\n  x: ${"[".repeat(brackets)}${"]".repeat(brackets)}\n`;
    // The document, status and x's value: MAX_DEPTH - 2 brackets reach the limit exactly.
    expect(loadCluster([{ file: "ok.yaml", text: pod(MAX_DEPTH - 2) }]).cluster.pods).toHaveLength(1);
    expect(rejected(text(pod(MAX_DEPTH - 1)))[0]!.message).toContain("nested too deeply");
  });
});

describe("aliases", () => {
  it('a "billion laughs" alias bomb is refused', () => {
    let bomb = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
    for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]\n`;
    const errors = rejected(text(bomb));
    expect(errors[0]!.message).toContain("excessive aliasing");
  }, 60_000);

  it("an alias bomb hidden in a field that is not decoded is refused too", () => {
    let bomb = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i < 12; i++) bomb += `  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
    expect(rejected(text(bomb))[0]!.message).toContain("excessive aliasing");
  }, 60_000);

  it("a bomb built from merge keys is refused", () => {
    let bomb = "a0: &a0 {x: lol}\n";
    for (let i = 1; i < 30; i++) bomb += `a${i}: &a${i}\n  <<: [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n  k${i}: v\n`;
    rejected(text(bomb));
  }, 60_000);
});

describe("binary and badly encoded input", () => {
  it("text with NUL bytes is not a text file", () => {
    const errors = rejected(text("apiVersion: v1\nkind: Namespace\0\0\u0001metadata: {name: x}\n"));
    expect(errors[0]!.message).toContain("NUL");
  });

  it("a binary file is refused before it is parsed", async () => {
    const bytes = garbage(8 * MB, Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(""), "\u0000");
    const path = file("binary.yaml", bytes);
    const errors = await rejectedAsync(() => loadPaths([path]));
    expect(errors[0]).toMatchObject({ file: path });
    expect(errors[0]!.message).toContain("NUL");
  }, 60_000);

  it("a file that is not valid UTF-8 is refused", async () => {
    const path = file("latin1.yaml", Buffer.concat([Buffer.from("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: caf"), Buffer.from([0xe9, 0x0a])]));
    const errors = await rejectedAsync(() => loadPaths([path]));
    expect(errors[0]).toMatchObject({ file: path });
    expect(errors[0]!.message).toContain("UTF-8");
  });

  it("high bytes without any NUL are refused as invalid UTF-8", async () => {
    const high = Array.from({ length: 128 }, (_, i) => String.fromCharCode(128 + i)).join("");
    const path = file("high.yaml", garbage(4 * MB, high));
    expect((await rejectedAsync(() => loadPaths([path])))[0]!.message).toContain("UTF-8");
  }, 60_000);

  it("one bad file does not stop the others from being checked, and each is named", async () => {
    const bad = file("bad-bytes.yaml", Buffer.from([0xff, 0xfe, 0x41]));
    const invalid = file("invalid.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n");
    const errors = await rejectedAsync(() => loadPaths([bad, invalid]));
    expect(errors.map((d) => d.file).sort()).toEqual([bad, invalid].sort());
  });
});

describe("a huge single-line scalar", () => {
  const huge = "x".repeat(50 * MB);
  const tooLong = (errors: Diagnostic[]) => expect(errors.some((d) => /no Kubernetes object may be larger/.test(d.message))).toBe(true);

  it("as a whole document", () => {
    const errors = rejected(text(huge));
    expect(errors[0]).toMatchObject({ file: "hostile.yaml", line: 1 });
    tooLong(errors);
  }, 60_000);

  it("as a name", () => {
    const errors = rejected(text(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${huge}\n`));
    expect(errors[0]).toMatchObject({ file: "hostile.yaml", line: 4, column: 9 });
    tooLong(errors);
  }, 60_000);

  it("double-quoted, which the YAML library unescapes one character at a time", () => {
    const errors = rejected(text(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {k: "${huge}"}\n`));
    expect(errors[0]).toMatchObject({ file: "hostile.yaml", line: 5 });
    tooLong(errors);
  }, 60_000);

  it("as a JSON string", () => {
    const errors = rejected(text(JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, status: { podIP: huge } })));
    expect(errors[0]).toMatchObject({ file: "hostile.yaml", line: 1 });
    tooLong(errors);
  }, 60_000);

  it(`a string of ${MAX_SCALAR_LENGTH} characters is still read`, () => {
    const pod = (n: number) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus:\n  message: ${"m".repeat(n)}\n`;
    expect(loadCluster([{ file: "ok.yaml", text: pod(MAX_SCALAR_LENGTH) }]).cluster.pods).toHaveLength(1);
    tooLong(rejected(text(pod(MAX_SCALAR_LENGTH + 1))));
  }, 60_000);
});

describe("many documents", () => {
  const N = 200_000;
  const namespaces = (extra: string) => Array.from({ length: N }, (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ns${i}${extra}}\n`).join("---\n");

  it(`${N.toLocaleString("en")} documents load`, () => {
    expect(loadCluster([{ file: "many.yaml", text: namespaces("") }]).cluster.namespaces).toHaveLength(N);
  }, 120_000);

  it(`${N.toLocaleString("en")} documents with an error each are all reported`, () => {
    expect(rejected(text(namespaces(", bogus: 1")))).toHaveLength(N);
  }, 120_000);
});
