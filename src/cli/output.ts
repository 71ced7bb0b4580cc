/** Terminal and pipe output: buffered writes that respect backpressure, and diagnostics on stderr. */
import { once } from "node:events";
import { styleText } from "node:util";
import { type Diagnostic, formatDiagnostic } from "../load/diagnostics.js";

/** Collects small writes into ~64 KiB chunks and waits when the stream asks it to. */
export class BufferedWriter {
  private buffer = "";

  constructor(private readonly stream: NodeJS.WritableStream, private readonly limit = 1 << 16) {}

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= this.limit) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer === "") return;
    const chunk = this.buffer;
    this.buffer = "";
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }
}

const color = (stream: NodeJS.WritableStream): boolean => (stream as NodeJS.WriteStream).isTTY === true;

export function paint(format: Parameters<typeof styleText>[0], text: string, stream: NodeJS.WritableStream = process.stdout): string {
  return color(stream) ? styleText(format, text) : text;
}

/** Past this many per file, the rest are counted, not printed: garbage input can yield millions. */
export const MAX_PRINTED_PER_FILE = 50;

export function printDiagnostics(diagnostics: readonly Diagnostic[], stream: NodeJS.WritableStream = process.stderr): void {
  const perFile = new Map<string, number>();
  for (const d of diagnostics) {
    const file = d.file ?? "";
    const n = (perFile.get(file) ?? 0) + 1;
    perFile.set(file, n);
    if (n > MAX_PRINTED_PER_FILE) continue;
    const label = d.severity === "error" ? paint("red", "error", stream) : d.severity === "warning" ? paint("yellow", "warning", stream) : paint("dim", "notice", stream);
    stream.write(`${label}: ${formatDiagnostic(d)}\n`);
  }
  for (const [file, n] of perFile) {
    if (n > MAX_PRINTED_PER_FILE) stream.write(`… and ${n - MAX_PRINTED_PER_FILE} more problems in ${file || "the input"}\n`);
  }
}
