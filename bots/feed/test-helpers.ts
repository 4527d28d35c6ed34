/** Helpers for the feed tests: streams from strings, records from a format. */
import { readRecords, type ReadOptions } from "./formats/index.js";
import type { FeedRecord } from "./record.js";
import type { FormatSpec } from "./types.js";

export async function* chunks<T>(...parts: T[]): AsyncIterable<T> {
  for (const p of parts) yield await Promise.resolve(p);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Records and bad lines of `text` (given as chunks, to cross chunk borders) in a format. */
export async function parseWith(
  format: FormatSpec,
  parts: string[],
  opts: ReadOptions = {},
): Promise<{ records: FeedRecord[]; bad: [number, string][] }> {
  const bad: [number, string][] = [];
  const batches = await collect(
    readRecords(format, chunks(...parts), (line, msg) => bad.push([line, msg]), opts),
  );
  return { records: batches.flat(), bad };
}
