/**
 * `-f PATH` as kubectl reads it: a file, a directory (recursively, *.yaml, *.yml, *.json, in
 * name order) or `-` for standard input. Files larger than the limit are refused before they
 * are read, so hostile input costs bounded memory.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import type { Source } from "./parse.js";

export type { Source };

export const MAX_FILE_BYTES = 256 * 1024 * 1024;
const MANIFEST = /\.(ya?ml|json)$/i;

export async function readSources(paths: readonly string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<{ sources: Source[]; diagnostics: Diagnostic[] }> {
  const sources: Source[] = [];
  const diagnostics: Diagnostic[] = [];
  const attempt = async (file: string, read: () => Promise<void>) => {
    try {
      await read();
    } catch (e) {
      diagnostics.push({ severity: "error", file, message: ioMessage(e) });
    }
  };
  for (const path of paths) {
    if (path === "-") {
      await attempt("<stdin>", async () => void sources.push({ file: "<stdin>", text: decodeText(await readStream(stdin)) }));
      continue;
    }
    let files: string[] = [];
    await attempt(path, async () => void (files = await expand(path, true)));
    for (const file of files) await attempt(file, async () => void sources.push({ file, text: await readText(file) }));
  }
  return { sources, diagnostics };
}

async function expand(path: string, top: boolean): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return top || MANIFEST.test(path) ? [path] : [];
  const entries = (await readdir(path)).sort();
  const nested = await Promise.all(entries.map((e) => expand(join(path, e), false)));
  const files = nested.flat();
  if (top && files.length === 0) throw new Error("no *.yaml, *.yml or *.json files in this directory");
  return files;
}

async function readText(file: string): Promise<string> {
  const { size } = await stat(file);
  if (size > MAX_FILE_BYTES) throw new Error(`file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`);
  return decodeText(await readFile(file));
}

function decodeText(bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new Error(`not a text file: NUL byte at offset ${bytes.indexOf(0)}`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error("not a text file: invalid UTF-8");
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_FILE_BYTES) throw new Error(`standard input is larger than ${MAX_FILE_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return "no such file or directory";
  if (err.code === "EACCES") return "permission denied";
  return err.message;
}
