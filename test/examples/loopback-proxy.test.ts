/**
 * examples/loopback-proxy: a real TCP proxy enforcing the shop's policies on real connections
 * between loopback addresses, reloading when a manifest changes without dropping established
 * connections.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROXY = join(ROOT, "examples/loopback-proxy/proxy.mjs");
const OFFSET = 21000; // apart from the defaults, so a proxy running by hand does not collide
const BACKEND = 31000;
const dir = mkdtempSync(join(tmpdir(), "netpol-proxy-"));
cpSync(join(ROOT, "examples/shop"), join(dir, "shop"), { recursive: true });

const FRONTEND = "127.244.1.10";
const API = "127.244.1.20";
const DATABASE = "127.244.2.30";

let proxy: ChildProcess;
let output = "";
/** Resolves when the proxy has printed a line matching `pattern` (after `from` characters). */
function waitFor(pattern: RegExp, from = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy never printed ${pattern}; it printed:\n${output}`)), 15_000);
    const check = () => {
      if (pattern.test(output.slice(from))) {
        clearTimeout(timer);
        proxy.stdout!.off("data", check);
        resolve();
      }
    };
    proxy.stdout!.on("data", check);
    check();
  });
}

/** Connects from one pod's address to another's proxied port: the server's greeting, or "reset". */
function probe(from: string, to: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: to, port: port + OFFSET, localAddress: from });
    let got = "";
    socket.on("data", (d) => {
      got += d;
      socket.end();
    });
    socket.on("error", () => resolve("reset"));
    socket.on("close", () => resolve(got ? got.trim() : "reset"));
  });
}

beforeAll(async () => {
  proxy = spawn(process.execPath, [PROXY, "-f", join(dir, "shop"), "--serve", "--offset", String(OFFSET), "--backend-offset", String(BACKEND)], { stdio: ["ignore", "pipe", "pipe"] });
  proxy.stdout!.on("data", (d) => (output += d));
  proxy.stderr!.on("data", (d) => (output += d));
  await waitFor(/proxying \d+ pod ports/);
}, 20_000);

afterAll(() => {
  proxy?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe("examples/loopback-proxy", () => {
  it("pipes what the policies allow and resets what they deny, logging why", async () => {
    expect(await probe(FRONTEND, API, 8000)).toBe("hello from shop/api-5c8b4:8000");
    expect(await probe(API, DATABASE, 5432)).toBe("hello from shop/database-0:5432");
    expect(await probe(FRONTEND, DATABASE, 5432)).toBe("reset");
    // 127.0.0.1 is no pod: outside the cluster, as a browser reaching the frontend.
    expect(await probe("127.0.0.1", FRONTEND, 8080)).toBe("hello from shop/frontend-7d9f8:8080");
    expect(await probe("127.0.0.1", DATABASE, 5432)).toBe("reset");
    await waitFor(/DENY 127\.244\.1\.10 \(shop\/frontend-7d9f8\) -> 127\.244\.2\.30:5432 \(shop\/database-0\): egress isolated by shop\/default-deny/);
    expect(output).toMatch(/ALLOW 127\.244\.1\.20 \(shop\/api-5c8b4\) -> 127\.244\.2\.30:5432 \(shop\/database-0\): egress shop\/api\[0\]; ingress shop\/database\[0\]/);
  });

  it("reloads changed policies: new connections get the new verdict, an established one keeps flowing", async () => {
    // An established api → database connection, echoing.
    const held = net.connect({ host: DATABASE, port: 5432 + OFFSET, localAddress: API });
    const lines: string[] = [];
    held.setEncoding("utf8").on("data", (d: string) => lines.push(d));
    await new Promise((r) => held.once("data", r));

    // The database stops accepting api: its allowing policy is removed from the file.
    const file = join(dir, "shop", "policies.yaml");
    const docs = readFileSync(file, "utf8").split(/^---$/m);
    const kept = docs.filter((d) => !/name: database\b/.test(d));
    expect(kept.length).toBe(docs.length - 1);
    const mark = output.length;
    writeFileSync(file, kept.join("---"));
    await waitFor(/reloaded .*policies.yaml|reloaded .*shop/, mark);

    expect(await probe(API, DATABASE, 5432)).toBe("reset");
    expect(await probe(FRONTEND, API, 8000)).toBe("hello from shop/api-5c8b4:8000");
    // The connection made before the change is still piped both ways.
    held.write("still here\n");
    await new Promise((r) => setTimeout(r, 200));
    expect(lines.join("")).toContain("still here");
    held.destroy();
  });

  it("explains itself: --help", async () => {
    const help = spawn(process.execPath, [PROXY, "--help"]);
    let text = "";
    help.stdout.on("data", (d) => (text += d));
    await new Promise((r) => help.on("close", r));
    expect(text).toMatch(/usage: proxy\.mjs -f PATH/);
  });
});
