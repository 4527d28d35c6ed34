// Questions to the store: push the indexed part of a rule down as a Mango selector, page
// through the results newest first by the indexed `time` field (bookmarks are not served by
// the embedded server: SERVERS.md), and keep only what the rule itself matches.
import { Event, type EventJson, type Rule } from "../../core/index.js";
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
}

/** What the commands need from the store; see storeBackend() for bots/historian/store.ts. */
export interface QueryBackend {
  find(selector: Selector, opts: FindOptions): Promise<FoundPage>;
  /** How the store keeps values in the flat fields (store.ts: arrays). */
  readonly shape?: FieldShape;
  /**
   * Optional: the events with `value` among their `key` values and `time >= since`, newest
   * first, from a value index (store.ts findByValue). Used when the rule requires such an
   * equality; the results are filtered with Rule.match as always.
   */
  findByValue?(key: string, value: string, opts: FindOptions): Promise<FoundPage>;
}

export interface ScanOptions {
  since: string;
  /** Stop after this many matching events. */
  want: number;
  /** Stop after reading this many documents (bounds the cost of an unindexed rule). */
  maxScanned?: number;
  /** Documents per `_find` request. */
  batch?: number;
}

export interface ScanResult {
  events: StoredEvent[];
  scanned: number;
  /** True when a limit stopped the scan before the store ran out. */
  truncated: boolean;
  exact: boolean;
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
  const bounded = withTimeBound(selector, opts.since);
  const eq = shape === "array" ? indexedEquality(selector) : undefined;
  const byValue = backend.findByValue?.bind(backend);
  const find = (o: FindOptions): Promise<FoundPage> =>
    eq && byValue ? byValue(eq.key, eq.value, o) : backend.find(bounded, o);
  const events: StoredEvent[] = [];
  let scanned = 0;
  let cursor: unknown;
  for (;;) {
    const limit = Math.min(opts.batch ?? 500, maxScanned - scanned);
    const page = await find({
      limit,
      since: opts.since,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const doc of page.docs) {
      scanned++;
      if (rule.match(Event.fromJson(doc.event))) {
        events.push(doc);
        if (events.length >= opts.want) return { events, scanned, truncated: true, exact };
      }
    }
    if (page.next === undefined) return { events, scanned, truncated: false, exact };
    if (scanned >= maxScanned) return { events, scanned, truncated: true, exact };
    cursor = page.next;
  }
}
