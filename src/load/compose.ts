/**
 * The yaml library's parser and composer, with limits between them, so that hostile input is
 * refused before the composer can take the process down:
 * - nesting: the composer recurses once per level and catches its own stack overflow, but then
 *   carries on near the stack limit, where V8 (Node 20) can abort the whole process ("FATAL
 *   ERROR: RegExpCompiler Allocation failed") instead of throwing;
 * - scalar length: a double-quoted scalar is unescaped one character at a time, which costs
 *   about 36 bytes of heap per character (a 200 MB scalar exhausts a 4 GB heap).
 * The parser builds its syntax tree without recursion and cheaply, so the limits are checked
 * there, on an explicit stack.
 */
import { Composer, CST, type Document, Parser } from "yaml";

/** Real manifests nest a few dozen levels; the composer overflows at about 800. */
export const MAX_DEPTH = 256;

/** The API server refuses request bodies over 3 MiB, so no string of a real object is longer. */
export const MAX_SCALAR_LENGTH = 3 * 1024 * 1024;

export interface Refusal {
  /** Offset of the offending node in the text. */
  readonly offset: number;
  readonly message: string;
}

export interface Composed {
  readonly docs: Document.Parsed[];
  /** Documents refused by a limit; they are composed empty, so their numbering is kept. */
  readonly refused: Refusal[];
}

export function composeDocuments(text: string, version: "1.1" | "1.2", addNewLine?: (offset: number) => void): Composed {
  const refused: Refusal[] = [];
  const tokens = limit(new Parser(addNewLine).parse(text), refused);
  return { docs: Array.from(new Composer({ version }).compose(tokens)), refused };
}

function* limit(tokens: Iterable<CST.Token>, refused: Refusal[]): Generator<CST.Token> {
  for (const token of tokens) {
    const refusal = token.type === "document" && token.value ? inspect(token.value) : undefined;
    if (token.type === "document" && refusal !== undefined) {
      refused.push(refusal);
      yield { ...token, value: undefined };
    } else {
      yield token;
    }
  }
}

/** The first node that breaks a limit, in document order of discovery. */
function inspect(root: CST.Token): Refusal | undefined {
  const stack: [CST.Token, number][] = [[root, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [token, depth] = next;
    if (CST.isScalar(token) && token.source.length > MAX_SCALAR_LENGTH) {
      const message = `a scalar of ${token.source.length} characters: no Kubernetes object may be larger than ${MAX_SCALAR_LENGTH} bytes`;
      return { offset: token.offset, message };
    }
    if (!CST.isCollection(token)) continue;
    if (depth > MAX_DEPTH) return { offset: token.offset, message: `document is nested too deeply (the limit is ${MAX_DEPTH} levels)` };
    for (const item of token.items) {
      if ("key" in item && item.key) stack.push([item.key, depth + 1]);
      if ("value" in item && item.value) stack.push([item.value, depth + 1]);
    }
  }
  return undefined;
}
