/**
 * The shipped core under a second, independent WebAssembly engine: wabt's interpreter
 * (`spectest-interp`, Debian package `wabt`; .ci/run installs it, and so does this test when it
 * runs as root). A generated .wast script instantiates build/release.wasm with no imports, places
 * a real bundle (the shop with its admin tiers) and flow columns in its memory through a second
 * module's data segments, loads the bundle, and asserts every verdict, reason code and Pass word
 * that V8 running the same bytes produces — through decide4, decide6, decideBatch and explainTiers,
 * and a corrupted copy of the bundle refused while the loaded one stays in use.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SHOP_PASS_ANP } from "../fixtures/manifests.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sectionWords } from "../../src/compile/bundle.js";
import { Section } from "../../src/compile/layout.js";
import { FAMILY_V6, FlowBatch } from "../../src/engine/batch.js";
import { coreBytes } from "../../src/engine/core.js";
import { compileSync } from "../../src/engine/engine.js";
import { loadPaths } from "../../src/model/files.js";
import { toIPAddress } from "../../src/validate/ip.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RELEASE = join(ROOT, "build/release.wasm");
const dir = mkdtempSync(join(tmpdir(), "netpol-wabt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** wabt's tools on PATH: installed from Debian when missing and this test may (root). */
function ensureWabt(): void {
  const has = () => spawnSync("spectest-interp", ["--version"]).status === 0 && spawnSync("wast2json", ["--version"]).status === 0;
  if (has()) return;
  if (process.getuid?.() === 0) {
    spawnSync("apt-get", ["install", "-y", "-qq", "wabt"], { stdio: "ignore", timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (!has()) spawnSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq wabt"], { stdio: "ignore", timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  if (!has()) throw new Error("this test needs wabt's spectest-interp and wast2json: apt-get install wabt (as .ci/run does)");
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
const u32 = (v: number) => `(i32.const ${v >>> 0})`;

/** The flows: every pod to every pod and to outside addresses, both families, on the ports the shop uses. */
async function scenario() {
  // The shop, its admin tiers, and a Pass into NetworkPolicy so that Pass words are exercised too.
  const pass = join(dir, "pass.yaml");
  writeFileSync(pass, SHOP_PASS_ANP);
  const { cluster } = await loadPaths([join(ROOT, "examples/shop"), join(ROOT, "examples/admin/admin-policies.yaml"), pass]);
  const engine = compileSync(cluster);
  const ends = [...cluster.pods.flatMap((p) => p.ips), ...["198.51.100.7", "203.0.113.10", "2001:db8:77::1"].map(toIPAddress)];
  const ports = [["TCP", 5432], ["TCP", 8080], ["UDP", 53], ["TCP", 9091], ["SCTP", 8443]] as const;
  const batch = new FlowBatch(ends.length * ends.length * ports.length + 1);
  for (const s of ends) for (const d of ends) if (s.family === d.family) for (const [protocol, port] of ports) batch.push(s, d, protocol, port);
  const v4 = ends.filter((a) => a.family === 4);
  batch.push(v4[0]!, v4[1]!, "TCP", 80);
  batch.meta[batch.length - 1] = 80 | (7 << 16); // an invalid protocol code: verdict 255
  const explained = engine.explainBatch(batch);
  return { engine, batch, explained, cluster };
}

describe("the release core under wabt's interpreter", () => {
  beforeAll(ensureWabt, 900_000);

  it("is the module the package embeds, with no imports and numeric exports only", () => {
    const release = new Uint8Array(readFileSync(RELEASE));
    expect(Buffer.from(coreBytes()).equals(Buffer.from(release))).toBe(true);
    const module = new WebAssembly.Module(release);
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    expect(WebAssembly.Module.exports(module).map((e) => `${e.name}:${e.kind}`).sort()).toEqual(
      ["abiVersion", "alloc", "decide", "decide4", "decide6", "decideBatch", "explainBatch", "explainTiers", "loadBundle", "updateAddresses"].map((n) => `${n}:function`).concat("memory:memory").sort(),
    );
  });

  it("every export is total: pointers outside memory and calls before a bundle give codes, never a trap", async () => {
    const { engine } = await scenario();
    const core = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(RELEASE)), {}).exports as unknown as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
    expect(core.decide6!(80, 0, 0)).toBe(255); // no bundle
    expect(core.decideBatch!(1, 0, 0, 0, 0)).toBe(12);
    const bundle = engine.bundle();
    const at = core.alloc!(bundle.length);
    new Uint8Array(core.memory.buffer, at, bundle.length).set(bundle);
    expect(core.loadBundle!(at, bundle.length)).toBe(0);
    const top = core.memory.buffer.byteLength;
    expect(core.decide6!(80 | (1 << 24), top - 8, 0)).toBe(255);
    expect(core.decide6!(80 | (1 << 24), 0, 0xfffffff0)).toBe(255);
    expect(core.decideBatch!(2, top - 16, 0, 0, 0)).toBe(3);
    expect(core.explainTiers!(1, 0, 0, 0, 0, 0, 0, top - 4)).toBe(3);
    expect(core.loadBundle!(top - 8, 64)).toBe(3);
    expect(core.alloc!(0xfffffff0)).toBe(0);
    expect([0, 1]).toContain(core.decide6!(80 | (1 << 24), at + 64, at + 128)); // in memory: decided, whatever the bytes say
  });

  it("decides and explains a real bundle exactly as V8 does", async () => {
    const { engine, batch, explained, cluster } = await scenario();
    const bundle = engine.bundle();
    const n = batch.length;
    const corrupt = bundle.slice();
    corrupt[bundle.length - 5]! ^= 0x40;

    // A live update (a replica of the api pod): the new address tables V8's engine installs, for updateAddresses.
    const api = cluster.pods.find((p) => p.name.startsWith("api"))!;
    const replica = {
      apiVersion: "v1", kind: "Pod", metadata: { name: "api-replica", namespace: api.namespace, labels: api.labels },
      spec: { containers: [{ name: "api", ports: api.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })) }] },
      status: { phase: "Running", podIP: "10.244.1.21" },
    };
    expect(engine.apply([{ type: "ADDED", object: replica }]).update).toBe("addresses");
    const updated = engine.bundle();
    const [hash4, hash6] = [sectionWords(updated, Section.HASH4)!, sectionWords(updated, Section.HASH6)!];
    const after = new FlowBatch(16);
    for (const [s, d, port] of [["10.244.1.21", "10.244.2.30", 5432], ["10.244.1.10", "10.244.1.21", 8000], ["10.244.1.21", "10.244.1.20", 8000], ["10.244.4.50", "10.244.1.21", 9091], ["10.244.1.10", "10.244.2.30", 5432]] as const) {
      after.push(toIPAddress(s), toIPAddress(d), "TCP", port);
    }
    const afterVerdicts = engine.decideBatch(after);
    expect([...afterVerdicts]).toContain(1);
    expect([...afterVerdicts]).toContain(0);

    // The addresses alloc returns are deterministic: find them with V8, assert them under wabt.
    const js = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(RELEASE)), {}).exports as unknown as Record<string, (...a: number[]) => number>;
    const sizes = { bundle: bundle.length, corrupt: corrupt.length, src: 16 * n, dst: 16 * n, meta: 4 * n, out: n, egress: 4 * n, ingress: 4 * n, passes: 8 * n, hash4: hash4.byteLength, hash6: hash6.byteLength };
    const at = Object.fromEntries(Object.entries(sizes).map(([k, size]) => [k, js.alloc!(size)])) as Record<keyof typeof sizes, number>;
    const bytes = (a: Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

    const lines: string[] = [];
    lines.push(`(module $core binary "${hex(new Uint8Array(readFileSync(RELEASE)))}")`, `(register "core" $core)`);
    lines.push(`(assert_return (invoke $core "abiVersion") ${u32(0x00010003)})`);
    lines.push(`(assert_return (invoke $core "decide4" ${u32(80)} ${u32(1)} ${u32(2)}) ${u32(255)})`); // no bundle yet
    lines.push(`(assert_return (invoke $core "decideBatch" ${u32(0)} ${u32(0)} ${u32(0)} ${u32(0)} ${u32(0)}) ${u32(12)})`);
    for (const [k, size] of Object.entries(sizes)) lines.push(`(assert_return (invoke $core "alloc" ${u32(size)}) ${u32(at[k as keyof typeof sizes])})`);
    lines.push(
      `(module $data (import "core" "memory" (memory 0))`,
      `  (data (i32.const ${at.bundle}) "${hex(bundle)}")`,
      `  (data (i32.const ${at.corrupt}) "${hex(corrupt)}")`,
      `  (data (i32.const ${at.src}) "${hex(bytes(batch.src.subarray(0, 4 * n)))}")`,
      `  (data (i32.const ${at.dst}) "${hex(bytes(batch.dst.subarray(0, 4 * n)))}")`,
      `  (data (i32.const ${at.meta}) "${hex(bytes(batch.meta.subarray(0, n)))}")`,
      `  (data (i32.const ${at.hash4}) "${hex(bytes(hash4))}")`,
      `  (data (i32.const ${at.hash6}) "${hex(bytes(hash6))}")`,
      `  (func (export "u8") (param i32) (result i32) (i32.load8_u (local.get 0)))`,
      `  (func (export "u32") (param i32) (result i32) (i32.load (local.get 0))))`,
    );
    lines.push(`(assert_return (invoke $core "loadBundle" ${u32(at.bundle)} ${u32(bundle.length)}) ${u32(0)})`);
    // A corrupted bundle is refused (checksum) and the loaded one stays in use.
    lines.push(`(assert_return (invoke $core "loadBundle" ${u32(at.corrupt)} ${u32(corrupt.length)}) ${u32(4)})`);
    const verdicts = explained.verdicts;
    for (let i = 0; i < n; i++) {
      const meta = batch.meta[i]!;
      const call = meta & FAMILY_V6
        ? `(invoke $core "decide6" ${u32(meta)} ${u32(at.src + 16 * i)} ${u32(at.dst + 16 * i)})`
        : `(invoke $core "decide4" ${u32(meta)} ${u32(batch.src[4 * i]!)} ${u32(batch.dst[4 * i]!)})`;
      lines.push(`(assert_return ${call} ${u32(verdicts[i]!)})`);
    }
    lines.push(`(assert_return (invoke $core "decideBatch" ${[n, at.src, at.dst, at.meta, at.out].map(u32).join(" ")}) ${u32(0)})`);
    for (let i = 0; i < n; i++) lines.push(`(assert_return (invoke $data "u8" ${u32(at.out + i)}) ${u32(verdicts[i]!)})`);
    lines.push(`(assert_return (invoke $core "explainTiers" ${[n, at.src, at.dst, at.meta, at.out, at.egress, at.ingress, at.passes].map(u32).join(" ")}) ${u32(0)})`);
    for (let i = 0; i < n; i++) {
      lines.push(`(assert_return (invoke $data "u32" ${u32(at.egress + 4 * i)}) ${u32(explained.egress[i]!)})`);
      lines.push(`(assert_return (invoke $data "u32" ${u32(at.ingress + 4 * i)}) ${u32(explained.ingress[i]!)})`);
      lines.push(`(assert_return (invoke $data "u32" ${u32(at.passes + 8 * i)}) ${u32(explained.passes![2 * i]!)})`);
      lines.push(`(assert_return (invoke $data "u32" ${u32(at.passes + 8 * i + 4)}) ${u32(explained.passes![2 * i + 1]!)})`);
    }
    // The live update under wabt: the new address tables installed, the replica decided as V8 decides it.
    lines.push(`(assert_return (invoke $core "updateAddresses" ${[at.hash4, hash4.length / 4, at.hash6, hash6.length / 8, 0, 0].map(u32).join(" ")}) ${u32(0)})`);
    for (let i = 0; i < after.length; i++) {
      lines.push(`(assert_return (invoke $core "decide4" ${u32(after.meta[i]!)} ${u32(after.src[4 * i]!)} ${u32(after.dst[4 * i]!)}) ${u32(afterVerdicts[i]!)})`);
    }
    const wast = join(dir, "core.wast");
    writeFileSync(wast, `${lines.join("\n")}\n`);

    // The script is only as good as its data: V8 agrees with itself on what the script asserts.
    expect(new Set(verdicts)).toEqual(new Set([0, 1, 255]));
    expect([...explained.egress, ...explained.ingress].some((c) => c >>> 28 === 0xd || c >>> 28 === 0xe)).toBe(true); // tier reasons present
    expect(explained.passes!.some((p) => p !== 0)).toBe(true);

    const json = spawnSync("wast2json", [wast, "-o", join(dir, "core.json")], { encoding: "utf8" });
    expect(json.status, json.stderr).toBe(0);
    const run = spawnSync("spectest-interp", [join(dir, "core.json")], { encoding: "utf8", maxBuffer: 1 << 26 });
    // spectest-interp counts each module instantiation and each assertion as a test.
    const asserts = lines.filter((l) => l.startsWith("(assert_return") || l.startsWith("(module")).length;
    expect(run.stdout.trim().split("\n").pop(), run.stdout.slice(0, 2000)).toBe(`${asserts}/${asserts} tests passed.`);
    expect(run.status).toBe(0);
  }, 120_000);
});
