// Questions to the store: push the indexed part of a rule down as a Mango selector, page
// through the results newest first by the indexed `time` field (bookmarks are not served by
// the embedded server: SERVERS.md), and keep only what the rule itself matches.
import { Event, type EventJson, type Rule } from "../../core/index.js";
import type { KeyCounts } from "./by-value.js";
import type { ValueSummary } from "./store.js";
import type { Lag } from "./view-query.js";
import {
  indexedEquality,
  ruleToSelector,
  withTimeBound,
  type FieldShape,
  type Selector,
} from "./mango.js";

/** One stored event as the store returns it. */
export interface StoredEvent {
  /** Event id (the AbuseHelper content hash). */
  id: string;
  event: EventJson;
  room: string;
  /** When the historian saw it (`YYYY-MM-DD HH:MM:SSZ`). */
  seen: string;
  /** The indexed time of the event (source time, else observation time, else seen). */
  time: string;
  /** Which of them `time` is (store.ts TimeFrom; absent in documents of earlier versions). */
  timeFrom?: string;
  /** Sighting id (store.ts sightingId; absent in documents of earlier versions). */
  sighting?: string;
}

export interface FindOptions {
  limit: number;
  /** The lower time bound, also in the selector; for stores that choose an index by it. */
  since: string;
  /** Where the previous page ended (opaque, from `next`). */
  cursor?: unknown;
}

export interface FoundPage {
  /** Newest first by `time`. */
  docs: StoredEvent[];
  /** Set when there may be more: pass back as `cursor`. */
  next?: unknown;
  /** Set when an index answered before it held every stored event. */
  lag?: Lag;
}

/** What the commands need from the store; see storeBackend() for bots/historian/store.ts. */
export interface QueryBackend {
  find(selector: Selector, opts: FindOptions): Promise<FoundPage>;
  /** How the store keeps values in the flat fields (store.ts: arrays). */
  readonly shape?: FieldShape;
  /**
   * Optional: the events with `value` among their `key` values and `time >= since`, newest
   * first, from a value index (the `by-value` view). Used when the rule requires such an
   * equality; the results are filtered with Rule.match as always.
   */
  findByValue?(key: string, value: string, opts: FindOptions): Promise<FoundPage>;
  /** Optional: count, distinct sightings, first and last time of `key = value` (the view). */
  summarize?(key: string, value: string, since: string): Promise<ValueSummary | undefined>;
  /** Optional: events per value of `key` since (undefined: the key is not counted by a view). */
  countBy?(key: string, since: string): Promise<KeyCounts | undefined>;
}

export interface ScanOptions {
  since: string;
  /** Keep this many matching events (the newest). */
  want: number;
  /** Go on counting matches (not keeping them) up to this many (default: want). */
  countTo?: number;
  /** Stop after reading this many documents (bounds the cost of an unindexed rule). */
  maxScanned?: number;
  /** Stop at this time (ms since the epoch): questions are bounded in time. */
  deadline?: number;
  /** Documents per `_find` request. */
  batch?: number;
}

export interface ScanResult {
  /** The newest `want` matches. */
  events: StoredEvent[];
  /** Matches counted (all of them unless `stopped`). */
  matched: number;
  scanned: number;
  /** Why the scan ended before the store ran out, if it did. */
  stopped?: "count" | "scanned" | "time";
  exact: boolean;
  lag?: Lag;
}

/** Matching events newest first. The answer is exactly the rule's (filtered by Rule.match). */
export async function scan(
  backend: QueryBackend,
  rule: Rule,
  opts: ScanOptions,
): Promise<ScanResult> {
  const shape = backend.shape ?? "array";
  const { selector, exact } = ruleToSelector(rule, shape);
  const maxScanned = opts.maxScanned ?? 200_000;
  const countTo = Math.max(opts.countTo ?? opts.want, opts.want);
  const bounded = withTimeBound(selector, opts.since);
  const eq = shape === "array" ? indexedEquality(selector) : undefined;
  const byValue = backend.findByValue?.bind(backend);
  const find = (o: FindOptions): Promise<FoundPage> =>
    eq && byValue ? byValue(eq.key, eq.value, o) : backend.find(bounded, o);
  const out: ScanResult = { events: [], matched: 0, scanned: 0, exact };
  let cursor: unknown;
  for (;;) {
    const limit = Math.min(opts.batch ?? 500, maxScanned - out.scanned);
    const page = await find({
      limit,
      since: opts.since,
      ...(cursor === undefined ? {} : { cursor }),
    });
    if (page.lag && out.lag === undefined) out.lag = page.lag;
    for (const doc of page.docs) {
      out.scanned++;
      if (!rule.match(Event.fromJson(doc.event))) continue;
      out.matched++;
      if (out.events.length < opts.want) out.events.push(doc);
      if (out.matched >= countTo) return { ...out, stopped: "count" };
    }
    if (page.next === undefined) return out;
    if (out.scanned >= maxScanned) return { ...out, stopped: "scanned" };
    if (opts.deadline !== undefined && Date.now() >= opts.deadline) {
      return { ...out, stopped: "time" };
    }
    cursor = page.next;
    // Let other questions and the writes run between pages (Rule.match is synchronous).
    await new Promise((resolve) => setImmediate(resolve));
  }
}
