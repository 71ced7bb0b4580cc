/**
 * The flow file: CSV with the header `src,dst,protocol,port`, read line by line so that a file
 * of any length costs constant memory. Blank lines and `#` comments are skipped.
 */
import { createInterface } from "node:readline";
import type { Protocol } from "../model/types.js";
import type { Flow } from "../reference/evaluator.js";
import { parseIP } from "../validate/ip.js";

export const FLOW_COLUMNS = ["src", "dst", "protocol", "port"] as const;

export class FlowError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = "FlowError";
  }
}

export interface FlowRow {
  readonly line: number;
  /** The addresses as written, echoed back in the output. */
  readonly srcText: string;
  readonly dstText: string;
  readonly flow: Flow;
}

const PROTOCOLS: Readonly<Record<string, Protocol>> = { TCP: "TCP", UDP: "UDP", SCTP: "SCTP" };

export function parseFlowLine(text: string, line: number, file: string): FlowRow {
  const fields = text.split(",").map((f) => f.trim());
  if (fields.length !== 4) throw new FlowError(file, line, `expected 4 fields (src,dst,protocol,port), got ${fields.length}`);
  const [srcText, dstText, protoText, portText] = fields as [string, string, string, string];
  const src = parseIP(srcText);
  if (!src.ok) throw new FlowError(file, line, `src: not an IP address: ${JSON.stringify(srcText)}`);
  const dst = parseIP(dstText);
  if (!dst.ok) throw new FlowError(file, line, `dst: not an IP address: ${JSON.stringify(dstText)}`);
  if (src.value.family !== dst.value.family) {
    throw new FlowError(file, line, `src ${srcText} and dst ${dstText} are of different IP families`);
  }
  const protocol = PROTOCOLS[protoText.toUpperCase()];
  if (!protocol) throw new FlowError(file, line, `protocol: ${JSON.stringify(protoText)} is not TCP, UDP or SCTP`);
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new FlowError(file, line, `port: ${JSON.stringify(portText)} is not a number between 1 and 65535`);
  }
  return { line, srcText, dstText, flow: { src: src.value, dst: dst.value, protocol, port: Number(portText) } };
}

/** Yields flows in input order; throws FlowError at the first bad line. */
export async function* readFlows(input: NodeJS.ReadableStream, file: string, onBytes?: (n: number) => void): AsyncGenerator<FlowRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let header = false;
  for await (const raw of lines) {
    n++;
    onBytes?.(Buffer.byteLength(raw) + 1);
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) continue;
    if (!header) {
      const cols = text.split(",").map((c) => c.trim().toLowerCase());
      if (cols.join(",") !== FLOW_COLUMNS.join(",")) {
        throw new FlowError(file, n, `the first line must be the header "${FLOW_COLUMNS.join(",")}", got ${JSON.stringify(text)}`);
      }
      header = true;
      continue;
    }
    yield parseFlowLine(text, n, file);
  }
  // An empty file has no line 0 to point at: name its first line.
  if (!header) throw new FlowError(file, Math.max(n, 1), `empty flow file: expected the header "${FLOW_COLUMNS.join(",")}"`);
}
