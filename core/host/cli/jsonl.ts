import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Event } from "../../sdk/event.js";

export interface JsonLine {
  line: number;
  event?: Event;
  error?: string;
}

/**
 * Read events in AbuseHelper's sender format: one JSON object per line, each value a string or
 * a list of strings. A bad line yields an error with its number; later lines still come.
 */
export async function* readEventLines(input: Readable): AsyncGenerator<JsonLine> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line += 1;
    if (text.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      yield { line, error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
      continue;
    }
    try {
      yield { line, event: Event.fromJson(parsed) };
    } catch (err) {
      yield { line, error: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** One event as a receiver-format JSON line: `{"key": ["v", ...]}`, keys and values sorted. */
export function eventLine(event: Event): string {
  return JSON.stringify(event.toJSON());
}
