/**
 * Bytes to text to lines, streaming: a 1M-line body is never one string. Lines come in
 * batches (one per chunk) because an await per line would cost more than parsing it.
 */

/** Decode UTF-8 chunks; a leading BOM is dropped (TextDecoder does that by default). */
export async function* decodeText(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== "") yield text;
  }
  const rest = decoder.decode();
  if (rest !== "") yield rest;
}

export interface LineBatch {
  /** Line number of lines[0], from 1. */
  first: number;
  lines: string[];
}

/** Split text into lines (LF or CRLF; a last line without newline counts too). */
export async function* splitLines(
  text: AsyncIterable<string>,
  first = 1,
): AsyncIterable<LineBatch> {
  let tail = "";
  let next = first;
  for await (const chunk of text) {
    // No newline yet: keep collecting, so a long line is split once, not once per chunk.
    if (!chunk.includes("\n")) {
      tail += chunk;
      continue;
    }
    const parts = (tail + chunk).split("\n");
    tail = parts.pop() ?? "";
    if (parts.length === 0) continue;
    for (let i = 0; i < parts.length; i++) {
      const line = parts[i] as string;
      if (line.endsWith("\r")) parts[i] = line.slice(0, -1);
    }
    yield { first: next, lines: parts };
    next += parts.length;
  }
  if (tail.endsWith("\r")) tail = tail.slice(0, -1);
  if (tail !== "") yield { first: next, lines: [tail] };
}

/** Read a whole text stream (JSON and XML documents, which do not stream line by line). */
export async function readAll(text: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of text) parts.push(chunk);
  return parts.join("");
}
