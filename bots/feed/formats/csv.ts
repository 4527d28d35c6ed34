/**
 * CSV through csv-parse's streaming parser: text chunks in, record batches out, so a large
 * feed is never held whole. A row that does not parse is reported with its line and skipped
 * (csv-parse skip_records_with_error); the rest go on.
 */
import { parse, type CsvError } from "csv-parse";
import type { FormatSpec } from "../types.js";
import type { BadRecord, FeedRecord } from "../record.js";

export type CsvFormat = Extract<FormatSpec, { type: "csv" }>;

export interface CsvOptions {
  /** Number the lines from here (a follower resuming mid-file). */
  firstLine?: number;
  /** Column names learnt earlier (a follower's header), replacing a "header" spec. */
  columns?: string[] | undefined;
  /** Told the column names read from a header row. */
  onHeader?: ((columns: string[]) => void) | undefined;
}

/** Records of a CSV text stream, a batch per chunk read. */
export async function* csvRecords(
  spec: CsvFormat,
  text: AsyncIterable<string>,
  bad: BadRecord,
  opts: CsvOptions = {},
): AsyncIterable<FeedRecord[]> {
  const base = (opts.firstLine ?? 1) - 1;
  const columns = opts.columns ?? spec.columns;
  const parser = parse({
    columns:
      columns === "header"
        ? (header: string[]) => {
            const names = header.map((h) => h.trim());
            opts.onHeader?.(names);
            return names;
          }
        : columns,
    delimiter: spec.delimiter ?? ",",
    // A comment only at the start of a line: `#` may well occur inside a URL field.
    ...(spec.comment ? { comment: spec.comment, comment_no_infix: true } : {}),
    relax_quotes: spec.relaxQuotes ?? false,
    relax_column_count: spec.relaxColumnCount ?? false,
    trim: spec.trim ?? false,
    from_line: (spec.skipLines ?? 0) + 1,
    skip_empty_lines: true,
    bom: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      if (err)
        bad(
          base + (typeof err.lines === "number" ? err.lines : 0),
          err.message.replace(/ (on|at) line \d+/, ""),
        );
      return undefined;
    },
  });
  let batch: FeedRecord[] = [];
  let failed: Error | undefined;
  // Records are taken where the parser pushes them, while its live `info.lines` is the line
  // the record ended on: `info: true` would copy the info into every record (40% slower),
  // and the readable side's buffering would only add work.
  const push = parser.push.bind(parser);
  parser.push = (record: unknown): boolean => {
    if (record === null) return push(null);
    batch.push({ line: base + parser.info.lines, fields: record as Record<string, string> });
    return true;
  };
  parser.on("error", (err: Error) => (failed ??= err));
  parser.resume();
  const written = (chunk: string) =>
    new Promise<void>((resolve) => parser.write(chunk, () => resolve()));
  for await (const chunk of text) {
    await written(chunk);
    if (failed) throw failed;
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  await new Promise<void>((resolve) => {
    parser.once("end", resolve);
    parser.once("error", () => resolve());
    parser.end();
  });
  if (failed) throw failed;
  if (batch.length > 0) yield batch;
}
