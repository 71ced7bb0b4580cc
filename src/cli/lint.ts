/** `netpol lint`: findings about the policies in their cluster, with severity and object path. */
import { loadPaths } from "../model/files.js";
import { type Finding, type Severity, lint } from "../report/lint.js";
import type { Io } from "./io.js";
import { UsageError } from "./io.js";
import { paint, printDiagnostics } from "./output.js";

export const LINT_FORMATS = ["text", "json"] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];
const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

export interface LintOptions {
  readonly file: readonly string[];
  readonly output: LintFormat;
  readonly failOn: string;
  readonly strict: boolean;
  readonly quiet: boolean;
}

export async function runLint(opts: LintOptions, io: Io): Promise<number> {
  if (opts.file.length === 0) throw new UsageError("lint needs at least one -f PATH (a file, a directory or - for stdin)");
  if (!SEVERITIES.includes(opts.failOn as Severity)) throw new UsageError(`--fail-on takes error, warning or info, got ${JSON.stringify(opts.failOn)}`);
  const loaded = await loadPaths(opts.file, { strict: opts.strict }, io.stdin);
  printDiagnostics(loaded.warnings.filter((d) => !opts.quiet || d.severity === "warning"), io.stderr);
  const findings = lint(loaded.cluster);
  if (opts.output === "json") io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  else io.stdout.write(text(findings, io));
  const worst = SEVERITIES.indexOf(opts.failOn as Severity);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) <= worst) ? 1 : 0;
}

function text(findings: readonly Finding[], io: Io): string {
  const colour = { error: "red", warning: "yellow", info: "cyan" } as const;
  const lines = findings.map((f) => `${paint(colour[f.severity], f.severity, io.stdout)}: ${f.object}: ${f.path}: ${f.message} [${f.code}]`);
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const summary = findings.length === 0 ? "no findings" : SEVERITIES.map((s) => `${count(s)} ${s}${count(s) === 1 ? "" : "s"}`).join(", ");
  return `${[...lines, summary].join("\n")}\n`;
}
