/**
 * One Shadowserver report file (a CSV, a zipped CSV, as attached or downloaded) → events,
 * streamed with the feed bot's decompression and CSV reader: the archive is fed in small
 * slices and the decompressed bytes are counted as they come, so a zip bomb stops at the cap
 * instead of filling memory. A row that does not parse, or a value a converter refuses, is
 * listed with its line and the rest is kept.
 */
import { decompress, sniff } from "../../feed/decode.js";
import { csvRecords } from "../../feed/formats/csv.js";
import { decodeText } from "../../feed/text.js";
import { MailError, type MailLimits } from "../handler.js";
import { convert, type Row } from "./convert.js";
import { reportOf, ruleFor, type ColumnRule, type Mapping, type ReportRule } from "./mapping.js";

/** A report file as it came: its name (for messages and the type), where, and its bytes. */
export interface ReportFile {
  name: string;
  /** `INBOX uid 4, attachment 2026-11-30-scan_http-example-asn.csv`. */
  where: string;
  data: Buffer;
  /** The report type when the mail said it otherwise (a download link's subject). */
  type?: string;
}

export interface ReportOutcome {
  events: Record<string, string[]>[];
  problems: string[];
  notes: string[];
}

// Shadowserver's file names: date, report type, then the organisation and filters
// (github.com/The-Shadowserver-Foundation/report_schema, report-filename.md).
const FILE_NAME = /^(\d{4}-\d{2}-\d{2})-([^-]+)-.+\.csv(\.zip)?$/i;

/** The report type a Shadowserver file name holds (`scan_http`), or undefined. */
export function typeFromName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop() ?? name;
  return FILE_NAME.exec(base)?.[2]?.toLowerCase();
}

/** 16 KiB of deflate data inflates to at most ~16 MiB: the overshoot past the cap is bounded. */
const SLICE = 16 * 1024;
/** Problems listed per file; past this they are counted in one line. */
export const MAX_LISTED = 100;

// eslint-disable-next-line @typescript-eslint/require-await -- decompress takes an async iterable
async function* slices(data: Buffer): AsyncIterable<Uint8Array> {
  for (let at = 0; at < data.length; at += SLICE) yield data.subarray(at, at + SLICE);
}

async function* capped(body: AsyncIterable<Uint8Array>, cap: number, where: string) {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > cap) {
      throw new MailError(
        where,
        `over the decompressed-size limit of ${cap} bytes (a zip bomb, or a report too large for the limit)`,
      );
    }
    yield chunk;
  }
}

/** The first member's name in a zip's local file header (APPNOTE.TXT §4.3.7). */
function zipMemberName(data: Buffer): string | undefined {
  if (data.length < 30) return undefined;
  const length = data.readUInt16LE(26);
  return data.subarray(30, 30 + length).toString("utf8") || undefined;
}

/** The keys every event of the report carries. */
function baseEvent(
  type: string | undefined,
  report: ReportRule | undefined,
): Record<string, string[]> {
  const ev: Record<string, string[]> = {
    "report format": ["shadowserver"],
    feeder: ["shadowserver"],
  };
  if (type !== undefined) ev["report type"] = [type];
  if (report) {
    ev["feed"] = [report.feed];
    if (report.category !== undefined) ev["category"] = [report.category];
    if (report.type !== undefined) ev["type"] = [report.type];
    for (const [k, v] of Object.entries(report.set ?? {})) ev[k] = [v];
  }
  return ev;
}

function add(ev: Record<string, string[]>, key: string, values: readonly string[]): void {
  const list = (ev[key] ??= []);
  for (const v of values) if (!list.includes(v)) list.push(v);
}

/** One row's event: the report's keys, then each column through its rule. */
function rowEvent(
  row: Row,
  base: Record<string, string[]>,
  ruleOf: (column: string) => ColumnRule,
  problem: (why: string) => void,
): Record<string, string[]> {
  const ev: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(base)) ev[k] = [...v];
  for (const [column, raw] of Object.entries(row)) {
    const rule = ruleOf(column);
    if (rule.key === null) continue;
    const c = convert(rule.convert, raw, row);
    if ("problem" in c) problem(`column ${column}: ${c.problem}`);
    else if (c.values.length > 0) add(ev, c.key ?? rule.key, c.values);
  }
  return ev;
}

/** Read one report file; throws a MailError for a limit or a broken archive. */
export async function readReport(
  file: ReportFile,
  mapping: Mapping,
  limits: MailLimits,
): Promise<ReportOutcome> {
  const { name, where, data } = file;
  if (data.length > limits.attachmentBytes) {
    throw new MailError(
      where,
      `${data.length} bytes is over the attachment-size limit of ${limits.attachmentBytes} bytes`,
    );
  }
  const compression = sniff(data.subarray(0, 10));
  if (/\.zip$/i.test(name) && compression !== "zip")
    throw new MailError(where, "not a zip archive");
  const member = compression === "zip" ? zipMemberName(data) : undefined;
  const given =
    file.type ?? typeFromName(name) ?? (member === undefined ? undefined : typeFromName(member));
  const found = given === undefined ? undefined : reportOf(mapping, given);
  const type = found?.type ?? given;
  const report = found?.report;
  const out: ReportOutcome = { events: [], problems: [], notes: [] };
  if (given === undefined) {
    out.notes.push(`${name}: no report type in the file name; columns mapped by their names`);
  } else if (!found) {
    out.notes.push(
      `${name}: report type ${given} is not in the mapping; columns mapped by their names (update the mapping with shadowserver-schema)`,
    );
  } else if (found.type !== given)
    out.notes.push(`${name}: report type ${given} is read as ${found.type}, its new name`);

  let unlisted = 0;
  const problem = (text: string) => {
    if (out.problems.length < MAX_LISTED) out.problems.push(`${name}: ${text}`);
    else unlisted++;
  };
  const rules = new Map<string, ColumnRule>();
  const onHeader = (columns: string[]) => {
    for (const c of columns) rules.set(c, ruleFor(mapping, report, c));
    if (!report) return;
    const extra = columns.filter((c) => !report.columns.includes(c));
    const missing = report.columns.filter((c) => !columns.includes(c));
    if (extra.length > 0)
      out.notes.push(
        `${name}: columns not in the mapping of ${type}, mapped by their names: ${extra.join(", ")}`,
      );
    if (missing.length > 0)
      out.notes.push(`${name}: columns of ${type} missing from the file: ${missing.join(", ")}`);
  };
  const base = baseEvent(type, report);
  let rows = 0;
  const count = () => {
    if (++rows > limits.rows)
      throw new MailError(where, `more than ${limits.rows} rows (the row limit)`);
  };
  const bad = (line: number, message: string) => {
    count();
    problem(`line ${line}: ${message}`);
  };
  try {
    const body = capped((await decompress(slices(data))).body, limits.decompressedBytes, where);
    const spec = { type: "csv", columns: "header" } as const;
    for await (const batch of csvRecords(spec, decodeText(body), bad, { onHeader })) {
      for (const record of batch) {
        count();
        const rule = (column: string) => rules.get(column) ?? ruleFor(mapping, report, column);
        const bad = (why: string) => problem(`line ${record.line}: ${why}`);
        out.events.push(rowEvent(record.fields as Row, base, rule, bad));
      }
    }
  } catch (err) {
    if (err instanceof MailError) throw err;
    throw new MailError(where, (err as Error).message);
  }
  if (unlisted > 0) out.problems.push(`${name}: ${unlisted} more problems not listed`);
  if (rows === 0) out.notes.push(`${name}: no rows`);
  return out;
}
