/** `netpol compile`: manifests → a bundle file that `eval --bundle` (or any WASM host) loads. */
import { writeFile } from "node:fs/promises";
import { compileCluster } from "../compile/index.js";
import { loadPaths } from "../model/files.js";
import { type Io, InputError, UsageError } from "./io.js";
import { printDiagnostics } from "./output.js";

export interface CompileCommandOptions {
  readonly file: readonly string[];
  readonly output: string;
  readonly strict: boolean;
  readonly quiet: boolean;
  readonly json: boolean;
}

export async function runCompile(opts: CompileCommandOptions, io: Io): Promise<number> {
  if (opts.file.length === 0) throw new UsageError("compile needs at least one -f PATH (a file, a directory or - for stdin)");
  if (opts.output === "-" && (io.stdout as NodeJS.WriteStream).isTTY) throw new UsageError("-o - would write a binary bundle to the terminal: redirect it, or name a file");
  const loaded = await loadPaths(opts.file, { strict: opts.strict }, io.stdin);
  printDiagnostics(loaded.warnings.filter((d) => !opts.quiet || d.severity === "warning"), io.stderr);
  const started = performance.now();
  const { bytes, stats } = compileCluster(loaded.cluster);
  const ms = performance.now() - started;
  if (opts.output === "-") io.stdout.write(bytes);
  else {
    try {
      await writeFile(opts.output, bytes);
    } catch (e) {
      throw new InputError(`${opts.output}: cannot write: ${(e as Error).message}`);
    }
  }
  const where = opts.output === "-" ? "stdout" : opts.output;
  if (opts.json) {
    io.stderr.write(`${JSON.stringify({ output: where, compileMs: Math.round(ms), ...stats })}\n`);
    return 0;
  }
  io.stderr.write(
    `${where}: ${stats.bundleBytes} bytes (${(stats.bundleBytes / Math.max(1, stats.pods)).toFixed(0)} per pod), compiled in ${ms.toFixed(0)} ms\n` +
      `  ${stats.pods} pods → ${stats.identities} identities; ${stats.ipBlocks} ipBlocks → ${stats.cidrClasses} CIDR classes; ` +
      `${stats.peerClasses} peer classes (from ${stats.peerClassesBeforeMerge}); ${stats.portClasses} port classes; ` +
      `${stats.profiles} profiles; ${stats.rows} distinct rows; ${stats.trieNodes} trie nodes${stats.tierRules > 0 ? `; ${stats.tierRules} admin-tier rules` : ""}\n`,
  );
  return 0;
}
