/** What every format yields: the fields of one source record and where it came from. */

export type Fields = Record<string, string | string[]>;

/** Kinds of plain-list entries (formats/entry.ts detects them). */
export type EntryKind = "ip" | "cidr" | "range" | "domain" | "url";

export interface FeedRecord {
  /** Line of the body the record came from (item number for RSS and JSON documents). */
  line: number;
  fields: Fields;
  /** Plain lists: what `fields.entry` is. */
  kind?: EntryKind;
}

/**
 * Told of every line or record that cannot be used; `line` as in FeedRecord, `text` the
 * record as read (for the dead letters). The caller names the feed, counts and rate-limits;
 * a format never stops at a bad line.
 */
export type BadRecord = (line: number, message: string, text?: string) => void;
