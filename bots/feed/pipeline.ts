/**
 * Records to the events to emit, shared by the feed and file-feed bots: map each record,
 * drop the too old, and keep only what was not in the previous read (AbusHelper PollingBot).
 * The id is the event's content hash without `observation time`, which changes every read
 * (but not when a read cut short by a crash is done again: see core/sdk/observation.ts).
 */
import { formatTime, type Event } from "../../core/index.js";
import { readRecords, type ReadOptions } from "./formats/index.js";
import { MappingError, type Mapper } from "./mapping.js";
import type { FeedRecord } from "./record.js";
import type { ReadReport } from "./report.js";
import type { IdSet } from "./seen.js";
import type { FormatSpec } from "./types.js";
import { contentId } from "./event-id.js";

export interface Dedup {
  /** Ids of the last complete read. */
  previous: IdSet;
  /** Ids of this read, filled here; saved by the caller once the read is complete. */
  next: IdSet;
}

export interface SelectOptions {
  mapper: Mapper;
  report: ReadReport;
  /** Drop events whose every `source time` is before this (`YYYY-MM-DD HH:MM:SSZ`). */
  notBefore?: string | undefined;
  /** Without it every event is emitted (replays). */
  dedup?: Dedup | undefined;
  /** The read's `observation time` (default: when each batch was read). */
  observed?: string | undefined;
  count(name: string, n?: number): void;
}

const SUB_BATCH = 256;

/** The events to emit, a batch per record batch (an await per event would cost more). */
export async function* selectEvents(
  batches: AsyncIterable<FeedRecord[]>,
  opts: SelectOptions,
): AsyncIterable<Event[]> {
  const { mapper, report, notBefore, dedup } = opts;
  let old = 0;
  let unchanged = 0;
  try {
    for await (const batch of batches) {
      const seen = opts.observed ?? formatTime(new Date());
      let out: Event[] = [];
      for (const record of batch) {
        report.lastLine = record.line;
        let event: Event | undefined;
        try {
          event = mapper(record);
        } catch (err) {
          if (!(err instanceof MappingError)) throw err;
          report.badRecord(record.line, err.message, JSON.stringify(record.fields));
          continue;
        }
        if (event === undefined) {
          // Not an error on its own (a trailing metadata line); all empty is, see finish().
          report.empty += 1;
          continue;
        }
        report.records += 1;
        if (notBefore !== undefined && isOlder(event, notBefore)) {
          old += 1;
          continue;
        }
        if (dedup) {
          const id = contentId(event);
          // Twice in one read is one event; in the previous read, not new.
          if (!dedup.next.addId(id) || dedup.previous.hasId(id)) {
            unchanged += 1;
            continue;
          }
        }
        out.push(event.add("observation time", seen));
        // Small batches: events handed on soon die young, which the GC finds cheap.
        if (out.length >= SUB_BATCH) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
    }
  } finally {
    if (old > 0) opts.count("dropped old", old);
    if (unchanged > 0) opts.count("unchanged", unchanged);
  }
}

function isOlder(event: Event, notBefore: string): boolean {
  const times = event.valueSet("source time");
  if (times === undefined) return false;
  // The time format sorts as text: `YYYY-MM-DD HH:MM:SSZ`.
  for (const t of times) if (t >= notBefore) return false;
  return true;
}

export interface ReadEventsOptions extends Omit<SelectOptions, "notBefore"> {
  format: FormatSpec;
  /** Drop events whose `source time` is older than this many ms (0: keep all). */
  dropOlderThan: number;
  read?: ReadOptions;
}

/** A decoded body to the events to emit, one at a time: what every source of the feed runs. */
export async function* readEvents(
  text: AsyncIterable<string>,
  opts: ReadEventsOptions,
): AsyncIterable<Event> {
  const { format, dropOlderThan, read, ...select } = opts;
  const notBefore =
    dropOlderThan > 0 ? formatTime(new Date(Date.now() - dropOlderThan)) : undefined;
  const records = readRecords(format, text, opts.report.badRecord, read);
  for await (const batch of selectEvents(records, { ...select, notBefore })) yield* batch;
}
