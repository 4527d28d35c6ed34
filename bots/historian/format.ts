// Replies an operator reads in an ordinary XMPP client: plain text, aligned columns, cut into
// pages of about twenty lines (the rest waits for !more).
import type { StoredEvent } from "./query.js";

export const PAGE_LINES = 20;
const MAX_CELL = 48;

/** Columns of an event table, in this order, shown only when some row has a value. */
export const EVENT_COLUMNS: readonly string[] = [
  "time",
  "feed",
  "type",
  "ip",
  "asn",
  "cc",
  "domain name",
  "url",
];

/** Rows of cells as aligned text: each column as wide as its widest cell, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A cell: the values joined by commas, cut with an ellipsis when long. */
export function cell(values: readonly string[] | undefined): string {
  const text = [...(values ?? [])].sort().join(",");
  return text.length > MAX_CELL ? text.slice(0, MAX_CELL - 1) + "…" : text;
}

/** Events as a table with the columns that have any value. */
export function eventTable(events: readonly StoredEvent[]): string[] {
  const column = (key: string, e: StoredEvent) => (key === "time" ? e.time : cell(e.event[key]));
  const shown = EVENT_COLUMNS.filter((k) => events.some((e) => column(k, e) !== ""));
  return table(
    shown,
    events.map((e) => shown.map((k) => column(k, e))),
  );
}

/** Value → count pairs as a table, most frequent first, ties by value. */
export function countTable(key: string, counts: ReadonlyMap<string, number>): string[] {
  const rows = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([v, n]) => [String(n), v === "" ? "(none)" : v]);
  const lines = table(["count", key], rows);
  // Right-align the numbers: the count column is as wide as its widest entry.
  const w = Math.max(5, ...rows.map((r) => (r[0] ?? "").length));
  return lines.map((l, i) =>
    i === 0 ? l : l.replace(/^(\d+)(\s*)/, (_, n: string) => n.padStart(w) + "  "),
  );
}

/** A reply before paging: a title, lines shown once, then a table whose header repeats. */
export interface Answer {
  title: string;
  intro?: readonly string[];
  /** Table lines, the first being the header. */
  table?: readonly string[];
  /** Said after the last page (a note that a limit cut the answer). */
  note?: string;
}

/** An answer cut into replies of about `size` lines; pages after the first say where they are. */
export function paginate(answer: Answer, size = PAGE_LINES): string[] {
  const intro = answer.intro ?? [];
  const [header, ...rows] = answer.table ?? [];
  const bodies: string[][] = [];
  let page: string[] = [...intro];
  if (header !== undefined) page.push(header);
  for (const row of rows) {
    if (page.length >= size) {
      bodies.push(page);
      page = header === undefined ? [] : [header];
    }
    page.push(row);
  }
  bodies.push(page);
  return bodies.map((body, i) => {
    const head =
      bodies.length > 1 ? `${answer.title} (page ${i + 1}/${bodies.length})` : answer.title;
    const last = i === bodies.length - 1;
    const tail = last
      ? answer.note
        ? [answer.note]
        : []
      : [`… ${bodies.length - i - 1} more page(s): say !more`];
    return [head, ...body, ...tail].join("\n");
  });
}
