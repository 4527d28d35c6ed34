/** One entry point from a FormatSpec to record batches, whatever the format. */
import type { FormatSpec } from "../types.js";
import type { BadRecord, FeedRecord } from "../record.js";
import { readAll, splitLines } from "../text.js";
import { csvRecords } from "./csv.js";
import { documentRecords, jsonLineRecords } from "./json.js";
import { listRecords } from "./list.js";
import { rssRecords } from "./rss.js";

export interface ReadOptions {
  /** Number the lines from here (a follower resuming mid-file). */
  firstLine?: number;
  /** CSV: column names learnt from the file's header earlier. */
  columns?: string[] | undefined;
  /** CSV: told the column names of a header row. */
  onHeader?: ((columns: string[]) => void) | undefined;
}

/** What FeedRecord.line counts for this format, for messages: "line 12", "item 3". */
export function unitOf(format: FormatSpec): "line" | "item" | "record" {
  if (format.type === "rss") return "item";
  if (format.type === "json" && !format.lines) return "record";
  return "line";
}

/** Whether records can be read line by line from any point (a followed log file). */
export function isLineBased(format: FormatSpec): boolean {
  return unitOf(format) === "line";
}

/** Records of a decoded body in batches; bad lines go to `bad`, a broken document throws. */
export async function* readRecords(
  format: FormatSpec,
  text: AsyncIterable<string>,
  bad: BadRecord,
  opts: ReadOptions = {},
): AsyncIterable<FeedRecord[]> {
  switch (format.type) {
    case "csv":
      yield* csvRecords(format, text, bad, opts);
      return;
    case "list":
      yield* listRecords(format, splitLines(text, opts.firstLine), bad);
      return;
    case "json":
      if (format.lines) yield* jsonLineRecords(splitLines(text, opts.firstLine), bad);
      else yield documentRecords(await readAll(text), format, bad);
      return;
    case "rss":
      yield rssRecords(await readAll(text), bad);
      return;
  }
}
