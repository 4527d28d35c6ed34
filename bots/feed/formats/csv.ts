/**
 * CSV (RFC 4180), line by line: text chunks in, record batches out, so a large feed is never
 * held whole. A record that does not parse is reported at its first line and skipped; one with
 * a broken quote costs that line only, reading goes on at the next. csv-parse, used here before,
 * could not resync: an unclosed quote swallowed the rest of the file, a bad closing quote the
 * next lines too, a bare CR in line 1 made CR the record delimiter, and with `trim` a junk char
 * after a closing quote dropped the rest of the chunk unreported.
 */
import { splitLines } from "../text.js";
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

/**
 * How far a quoted field may run past its line. RFC 4180 §2.6 allows line breaks in one, but
 * feeds are line-oriented in practice: past this (or at the end of the text) the quote is taken
 * as unclosed, its record's first line is reported, and reading resumes at the line after it.
 */
export const MAX_RECORD_LINES = 100;
export const MAX_RECORD_CHARS = 64 * 1024;

const QUOTE = '"';
const BOM = "\uFEFF";

/** A parsed record's fields and the index after its last line; or why it failed. */
type Parsed =
  | { fields: string[]; next: number }
  | { error: string; next: number }
  | undefined /* open quote at the end of the lines so far: wait for more */;

interface Dialect {
  delimiter: string;
  relaxQuotes: boolean;
  trim: boolean;
}

/** Index of the first non-blank char at or after `pos` (csv-parse `ltrim` skips the same). */
function skipBlank(line: string, pos: number): number {
  while (pos < line.length && /\s/.test(line.charAt(pos))) pos++;
  return pos;
}

/**
 * The record starting at lines[start]: fields split on the delimiter, a field in quotes may
 * hold delimiters, `""` (an escaped quote) and line breaks (RFC 4180 §2.5–2.7). A quote error
 * resumes at start + 1; any other record is consumed up to its last line.
 */
function parseRecord(lines: string[], start: number, d: Dialect, end: boolean): Parsed {
  const { delimiter, relaxQuotes, trim } = d;
  const fields: string[] = [];
  let at = start;
  let line = lines[at] ?? "";
  // Quote-free lines (most of them): one native split.
  if (!line.includes(QUOTE)) {
    const parts = line.split(delimiter);
    return { fields: trim ? parts.map((f) => f.trim()) : parts, next: start + 1 };
  }
  let spanning = 0; // the field that ran on past the first line
  let chars = line.length;
  const unclosed = (why: string): Parsed => ({
    error: `unclosed quote in field ${spanning}: ${why}`,
    next: start + 1,
  });
  // A quote error past the first line says the quote that ran on was not meant to.
  const fail = (error: string): Parsed =>
    at === start ? { error, next: start + 1 } : unclosed("the lines after do not go on with it");
  let pos = 0;
  for (;;) {
    const field = fields.length + 1;
    const open = trim ? skipBlank(line, pos) : pos;
    if (line.startsWith(QUOTE, open)) {
      let value = "";
      let from = open + 1;
      for (;;) {
        const q = line.indexOf(QUOTE, from);
        if (q === -1) {
          // RFC 4180 §2.6: the field goes on on the next line, within limits.
          value += line.slice(from) + "\n";
          spanning ||= field;
          const spanned = at - start + 1;
          if (spanned >= MAX_RECORD_LINES) return unclosed(`still open after ${spanned} lines`);
          if (chars >= MAX_RECORD_CHARS) return unclosed(`still open after ${chars} characters`);
          if (at + 1 >= lines.length) return end ? unclosed("still open at the end") : undefined;
          line = lines[++at] ?? "";
          chars += line.length + 1;
          from = 0;
        } else if (line.startsWith(QUOTE, q + 1)) {
          value += line.slice(from, q + 1);
          from = q + 2;
        } else {
          value += line.slice(from, q);
          from = q + 1;
          break;
        }
      }
      const after = trim ? skipBlank(line, from) : from;
      if (after >= line.length) {
        fields.push(value);
        return { fields, next: at + 1 };
      }
      if (line.startsWith(delimiter, after)) {
        fields.push(value);
        pos = after + delimiter.length;
        continue;
      }
      if (!relaxQuotes)
        return fail(
          `invalid closing quote in field ${field}: ${JSON.stringify(line.charAt(after))} ` +
            "follows it instead of the delimiter or the end of the line",
        );
      // relaxQuotes: as csv-parse, the quotes are kept and the field goes on unquoted.
      const stop = line.indexOf(delimiter, from);
      const rest = line.slice(from, stop === -1 ? line.length : stop);
      fields.push(QUOTE + value + QUOTE + (trim ? rest.trimEnd() : rest));
      if (stop === -1) return { fields, next: at + 1 };
      pos = stop + delimiter.length;
      continue;
    }
    const stop = line.indexOf(delimiter, pos);
    const raw = line.slice(pos, stop === -1 ? line.length : stop);
    if (!relaxQuotes && raw.includes(QUOTE))
      return fail(`stray quote inside unquoted field ${field} (relaxQuotes accepts it)`);
    fields.push(trim ? raw.trim() : raw);
    if (stop === -1) return { fields, next: at + 1 };
    pos = stop + delimiter.length;
  }
}

/** Records of a CSV text stream, a batch per chunk read. */
export async function* csvRecords(
  spec: CsvFormat,
  text: AsyncIterable<string>,
  bad: BadRecord,
  opts: CsvOptions = {},
): AsyncIterable<FeedRecord[]> {
  const dialect: Dialect = {
    delimiter: spec.delimiter ?? ",",
    relaxQuotes: spec.relaxQuotes ?? false,
    trim: spec.trim ?? false,
  };
  if (dialect.delimiter === "") throw new Error("csv: format.delimiter is empty");
  const comment = spec.comment || undefined;
  const given = opts.columns ?? spec.columns;
  let columns = given === "header" ? undefined : given;
  let skip = spec.skipLines ?? 0;
  let bomChecked = false;
  let pending: string[] = [];
  let next = opts.firstLine ?? 1; // number of pending[0] / lines[0]

  /** Records of the lines so far; an open quote's lines wait in `pending` for more. */
  const take = (more: string[], end: boolean): FeedRecord[] => {
    const lines = pending.length > 0 ? pending.concat(more) : more;
    const out: FeedRecord[] = [];
    if (!bomChecked && lines.length > 0) {
      bomChecked = true;
      if (lines[0]?.startsWith(BOM)) lines[0] = lines[0].slice(1);
    }
    let i = 0;
    while (i < lines.length) {
      const line = lines[i] as string;
      if (skip > 0 || line === "") {
        if (skip > 0) skip--;
        i++;
        continue;
      }
      // A comment only at the start of a line: `#` may well occur inside a URL field.
      const lead = dialect.trim ? line.trimStart() : line;
      if ((comment && lead.startsWith(comment)) || lead === "") {
        i++;
        continue;
      }
      const r = parseRecord(lines, i, dialect, end);
      if (r === undefined) break;
      if ("error" in r) bad(next + i, r.error, lines.slice(i, r.next).join("\n"));
      else if (!columns) {
        columns = r.fields.map((h) => h.trim());
        opts.onHeader?.(columns);
      } else if (r.fields.length !== columns.length && !spec.relaxColumnCount) {
        const n = r.fields.length;
        const why = `${n} ${n === 1 ? "field" : "fields"} for ${columns.length} columns`;
        bad(next + i, why, lines.slice(i, r.next).join("\n"));
      } else {
        const fields: Record<string, string> = {};
        const n = Math.min(r.fields.length, columns.length);
        for (let k = 0; k < n; k++) fields[columns[k] as string] = r.fields[k] as string;
        out.push({ line: next + i, fields });
      }
      i = r.next;
    }
    pending = i < lines.length ? lines.slice(i) : [];
    next += i;
    return out;
  };

  for await (const { lines } of splitLines(text)) {
    const batch = take(lines, false);
    if (batch.length > 0) yield batch;
  }
  const batch = take([], true);
  if (batch.length > 0) yield batch;
}
