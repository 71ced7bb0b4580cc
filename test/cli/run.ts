/** The built CLI (dist/cli.js, built by `npm test` first) run in a child process, as a user runs it. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
export const SHOP = fileURLToPath(new URL("../../examples/shop", import.meta.url));

export function netpol(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const env = { ...process.env, ...options.env };
  delete env.FORCE_COLOR; // output as a pipe sees it: no colour
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd, encoding: "utf8", env, timeout: 60_000, maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  return r;
}
