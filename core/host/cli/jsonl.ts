import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Event } from "../../sdk/event.js";
import { parseSenderLine, receiverLine } from "./sender-format.js";

export interface JsonLine {
  line: number;
  event?: Event;
  error?: string;
}

/**
 * Read events in AbuseHelper's sender format (sender-format.ts): one JSON object per line.
 * Blank lines are skipped, as AbuseHelper's sender does, but still counted, so a bad line
 * yields an error with the number an editor shows; later lines still come.
 */
export async function* readEventLines(input: Readable): AsyncGenerator<JsonLine> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line += 1;
    if (text.trim() === "") continue;
    let item: JsonLine;
    try {
      item = { line, event: parseSenderLine(text) };
    } catch (err) {
      item = { line, error: err instanceof Error ? err.message : String(err) };
    }
    yield item;
  }
}

/** One event as a receiver-format JSON line: `{"key": ["v", ...]}`, keys and values sorted. */
export function eventLine(event: Event): string {
  return receiverLine(event);
}
