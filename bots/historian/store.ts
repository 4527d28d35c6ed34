/**
 * The historian's storage API: events as CouchDB documents, written and read through `nano`,
 * using only what real CouchDB and express-pouchdb both serve (documents, `_bulk_docs`, Mango
 * `_find` with indexes, map views). Stable API for the chat commands (`!find`, `!ip`, ...):
 *
 *   const store = await openStore({ url, db: "events" });      // creates the db and indexes
 *   await store.put([toDoc(event, { room }, new Date())]);      // idempotent: _id = event id
 *   const page = await store.find({ ip: { $elemMatch: { $eq: "192.0.2.1" } } }, { limit: 20 });
 *   const more = await store.find(selector, { limit: 20, cursor: page.next });
 *   const hits = await store.findByValue("ip", "192.0.2.1", { since, limit: 20 }); // the view
 *
 * A document: `{ _id: event id, event: {key: [values]}, room, seen, sighting, time, time_from,
 * archive_id?, ip?, asn?, cc?, type?, feed?, "domain name"?, url? }`. The flat fields are the
 * event's values (arrays, so select with `$elemMatch`). `time` is the event's own time, one
 * sortable string (`YYYY-MM-DD HH:MM:SSZ`): its earliest `source time`, else `observation
 * time`, else `time`, else when it was stored (`seen`); `time_from` says which. find() pages by
 * time (never by bookmarks, which PouchDB does not serve): newest first unless `order: "asc"`.
 *
 * `sighting` is the event id without the keys that change when the same report is seen again
 * (sightingId()): a feed refetched, a report mailed twice. Counts say "N events, M distinct".
 *
 * `key = value` questions go to the `by-value` map view (views.ts, view-query.ts); a view that
 * is behind answers from what it has and says how far behind (Lag), instead of waiting.
 */
import nano, { type DocumentScope, type MangoSelector, type ServerScope } from "nano";
import { Event, type EventJson } from "../../core/index.js";
import { countBy, findByValue, summarize, type CountedKey, type KeyCounts } from "./by-value.js";
import type { Lag } from "./view-query.js";
import { dropIndexDocs } from "./migrate.js";
import { DESIGN, ensureViews, INDEXED_KEYS, TIME_KEYS } from "./views.js";

export { INDEXED_KEYS };
export type IndexedKey = (typeof INDEXED_KEYS)[number];

export interface StoredDoc {
  _id: string;
  _rev?: string;
  event: EventJson;
  room: string;
  /** When the historian stored it, `YYYY-MM-DD HH:MM:SSZ`. */
  seen: string;
  /** Sort and retention key: the event's own time (see the file header). */
  time: string;
  /** Which time `time` is. */
  time_from?: TimeFrom;
  /** Event id without the keys a replay changes (sightingId). */
  sighting?: string;
  archive_id?: string;
  ip?: string[];
  asn?: string[];
  cc?: string[];
  type?: string[];
  feed?: string[];
  "domain name"?: string[];
  url?: string[];
}

/** Where a document's `time` came from. */
export type TimeFrom = "source time" | "observation time" | "time" | "stored";

/** Keys that differ when the same report is seen again: left out of the sighting id. */
export const REPLAY_KEYS = ["observation time", "mail message id", "mail date"] as const;

export interface StoreOptions {
  /** Server URL without credentials (safe to log). */
  url: string;
  db: string;
  username?: string;
  password?: string;
}

/** Where a page ended: pass it back as `cursor` for the next page. */
export interface Cursor {
  time: string;
  /** Ids already returned at exactly `time` (ties straddling a page boundary). */
  ids: string[];
}

export interface FindOptions {
  /** Page size (default 50, at most 1000). */
  limit?: number;
  /** By `time`: "desc" (default, newest first) or "asc". */
  order?: "asc" | "desc";
  cursor?: Cursor;
  /** Only these document fields (`_id` is always there). */
  fields?: string[];
}

export interface FindPage {
  docs: StoredDoc[];
  /** Set when there may be more: the cursor of the next page. */
  next?: Cursor;
  /** Set when a view answered before it held every stored event. */
  lag?: Lag;
}

export interface PutResult {
  /** Newly written. */
  written: number;
  /** Already there (409 conflict on the event id): a replay, not an error. */
  existing: number;
}

/** What the `by-value` view knows about one value, from its rows alone. */
export interface ValueSummary {
  /** Events (exact: the view's reduce). */
  events: number;
  /** Distinct sightings among the rows read (all of them unless `truncated`). */
  distinct: number;
  /** Event times, oldest and newest. */
  first?: string;
  last?: string;
  /** Fewer rows read than there are events: `first` and `distinct` cover the newest only. */
  truncated: boolean;
  lag?: Lag;
}

export interface Store {
  /** Write a batch with one `_bulk_docs`; throws when the server cannot be reached. */
  put(docs: StoredDoc[]): Promise<PutResult>;
  /**
   * Bring the indexes up to date now (in the background of writing: writes never wait for an
   * index), so a question after a busy hour does not pay for indexing all of it.
   */
  warm(): Promise<void>;
  find(selector: MangoSelector, opts?: FindOptions): Promise<FindPage>;
  /** Events with `value` among their `key` values and `time >= since`, newest first (view). */
  findByValue(
    key: IndexedKey,
    value: string,
    opts: { since: string; limit?: number; cursor?: Cursor },
  ): Promise<FindPage>;
  /** Count, distinct sightings and first/last time of `key = value` since, reading ≤ max rows. */
  summarize(
    key: IndexedKey,
    value: string,
    opts: { since: string; max?: number },
  ): Promise<ValueSummary>;
  /** Events per value of a counted key since `since` (rounded down to the hour: `from`). */
  countBy(key: CountedKey, since: string): Promise<KeyCounts>;
  /** Count matching documents, stopping at `max` (default 100 000). */
  count(selector: MangoSelector, opts?: { max?: number }): Promise<number>;
  get(id: string): Promise<StoredDoc | undefined>;
  /** Delete documents with `time` before `cutoff` (`YYYY-MM-DD HH:MM:SSZ`); returns how many. */
  deleteOlderThan(cutoff: string, batch?: number): Promise<number>;
  /** Delete the value-index documents of earlier versions (migrate.ts); returns how many. */
  dropIndexDocs(signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

/** The document for an event seen in `room` at `seen`. */
export function toDoc(
  event: Event,
  meta: { room: string; archiveId?: string },
  seen: Date,
): StoredDoc {
  const seenText = stamp(seen);
  const [time, from] = ownTime(event) ?? [seenText, "stored" as const];
  const doc: StoredDoc = {
    _id: event.id(),
    event: event.toJSON(),
    room: meta.room,
    seen: seenText,
    time,
    time_from: from,
    sighting: sightingId(event),
  };
  if (meta.archiveId !== undefined) doc.archive_id = meta.archiveId;
  for (const key of INDEXED_KEYS) {
    const values = event.values(key);
    if (values.length > 0) doc[key] = values.sort();
  }
  return doc;
}

/** The event's own time and which key it is from (views.ts computes the same in the view). */
function ownTime(event: Event): [string, TimeFrom] | undefined {
  for (const key of TIME_KEYS) {
    const first = event.values(key).sort()[0];
    if (first !== undefined) return [first, key];
  }
  return undefined;
}

/**
 * What identifies a sighting: the event id of the event without the keys a replay changes
 * (REPLAY_KEYS: when the mesh observed it, which mail brought it). The same report fetched or
 * mailed again is the same sighting; a report with a new `source time` is a new one.
 */
export function sightingId(event: Event): string {
  if (!REPLAY_KEYS.some((k) => event.contains(k))) return event.id();
  const bare = new Event(event);
  for (const k of REPLAY_KEYS) bare.clear(k);
  return bare.id();
}

/** `YYYY-MM-DD HH:MM:SSZ`, the sortable form used for `seen` and `time`. */
export function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ") + "Z";
}

/** Select documents whose flat field `key` has `value` among its values. */
export function hasValue(key: IndexedKey, value: string): MangoSelector {
  return { [key]: { $elemMatch: { $eq: value } } };
}

/**
 * Why `name` cannot be a CouchDB database name, or undefined. Real CouchDB refuses anything
 * else (`illegal_database_name`) while the embedded server takes it, so a config that ran on
 * the embedded server would fail every write on a real one: checked with the params instead.
 */
export function dbNameTrouble(name: string): string | undefined {
  if (/^[a-z][a-z0-9_$()+/-]*$/.test(name)) return undefined;
  return `${JSON.stringify(name)} is not a CouchDB database name: lower-case letters, digits and _ $ ( ) + - / only, starting with a letter (e.g. events)`;
}

/** Connect, create the database if missing and ensure the Mango index and the views. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const server = connect(opts);
  try {
    await ensureDb(server, opts.db);
  } catch (err) {
    // Real CouchDB wants an admin (or a member of the database); the embedded server has no
    // auth. Say what to set instead of CouchDB's "You are not a server admin."
    const status = statusOf(err);
    if (status !== 401 && status !== 403) throw err;
    const who = opts.username === undefined ? "no credentials" : `user ${opts.username}`;
    throw new Error(
      `CouchDB at ${opts.url} refused ${who} (HTTP ${status}): give an admin's name and password in COUCHDB_URL (http://user:password@host:5984) or COUCHDB_USER and COUCHDB_PASSWORD`,
    );
  }
  const db = server.use<StoredDoc>(opts.db);
  await ensureIndexes(db);
  await ensureViews(db as DocumentScope<unknown>);
  return makeStore(db);
}

function connect(opts: StoreOptions): ServerScope {
  const url = new URL(opts.url);
  if (opts.username !== undefined) url.username = encodeURIComponent(opts.username);
  if (opts.password !== undefined) url.password = encodeURIComponent(opts.password);
  return nano({ url: url.toString().replace(/\/$/, "") });
}

async function ensureDb(server: ServerScope, name: string): Promise<void> {
  try {
    await server.db.create(name);
  } catch (err) {
    if (statusOf(err) !== 412) throw err; // 412: exists already
  }
}

/**
 * Create a Mango index, tolerating a concurrent creator: real CouchDB answers 500
 * `error_saving_ddoc` to all but one of several processes creating the same index at once (two
 * historians on one database, a restart racing a question); asked again it says "exists".
 */
async function createIndex(
  db: DocumentScope<StoredDoc>,
  def: Parameters<DocumentScope<StoredDoc>["createIndex"]>[0],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.createIndex(def);
      return;
    } catch (err) {
      const raced =
        (err as { error?: string }).error === "error_saving_ddoc" || statusOf(err) === 409;
      if (!raced || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function ensureIndexes(db: DocumentScope<StoredDoc>): Promise<void> {
  // `!find` scans newest first by `time`. Partial: the value-index documents of databases
  // written by earlier versions (`ix`) stay out of it (the same definition as then, so an
  // existing index is kept, not rebuilt).
  await createIndex(db, {
    index: { fields: ["time"], partial_filter_selector: { ix: { $exists: false } } },
    name: "by-time",
    ddoc: "by-time",
  });
}

function makeStore(db: DocumentScope<StoredDoc>): Store {
  const views = db as unknown as DocumentScope<unknown>;
  return {
    async put(docs) {
      if (docs.length === 0) return { written: 0, existing: 0 };
      const results = await db.bulk({ docs });
      let written = 0;
      let existing = 0;
      for (const r of results) {
        if (r.error === undefined) written++;
        else if (r.error === "conflict") existing++;
        else throw new Error(`_bulk_docs: ${r.id}: ${r.error}: ${r.reason ?? ""}`);
      }
      return { written, existing };
    },
    find: (selector, opts = {}) => findPage(db, selector, opts),
    async warm() {
      await db.find({ selector: { time: { $gt: "" } }, use_index: "by-time", limit: 1 });
      // One view query updates every view of the design document. `lazy`: CouchDB answers at
      // once and indexes after (a waiting query times out on a large backlog); PouchDB ignores
      // it and indexes before answering, in the background of the writes all the same.
      await db.view(DESIGN, "by-value", { limit: 0, update: "lazy" } as never);
    },
    findByValue: (key, value, opts) => findByValue(views, key, value, opts),
    summarize: (key, value, opts) => summarize(views, key, value, opts),
    countBy: (key, since) => countBy(views, key, since),
    async count(selector, opts = {}) {
      const max = opts.max ?? 100_000;
      let n = 0;
      let cursor: Cursor | undefined;
      while (n < max) {
        const page = await findPage(db, selector, {
          limit: Math.min(1000, max - n),
          order: "asc",
          fields: ["_id", "time"],
          ...(cursor ? { cursor } : {}),
        });
        n += page.docs.length;
        if (page.next === undefined) break;
        cursor = page.next;
      }
      return Math.min(n, max);
    },
    async get(id) {
      try {
        return await db.get(id);
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw err;
      }
    },
    async deleteOlderThan(cutoff, batch = 500) {
      let deleted = 0;
      for (;;) {
        const found = await db.find({
          selector: { time: { $gt: "", $lt: cutoff } },
          fields: ["_id", "_rev"],
          use_index: "by-time",
          limit: batch,
        });
        if (found.docs.length === 0) return deleted;
        const gone = found.docs.map((d) => ({ _id: d._id, _rev: d._rev ?? "", _deleted: true }));
        const results = await db.bulk({ docs: gone });
        deleted += results.filter((r) => r.error === undefined).length;
      }
    },
    dropIndexDocs: (signal) => dropIndexDocs(views, signal ? { signal } : {}),
    close: () => Promise.resolve(),
  };
}

async function findPage(
  db: DocumentScope<StoredDoc>,
  selector: MangoSelector,
  opts: FindOptions,
): Promise<FindPage> {
  const limit = Math.max(1, Math.min(opts.limit ?? 50, 1000));
  const order = opts.order ?? "desc";
  const skipIds = new Set(opts.cursor?.ids ?? []);
  // Sorting needs `time` in the selector (Mango uses the `time` index for it).
  // `$gt: ""`, not null: the embedded server's `by-time` index also holds the documents
  // without `time` (index documents, the marker) under null, and fails on them sorting asc.
  const timeRange: Record<string, string> = { $gt: "" };
  if (opts.cursor) timeRange[order === "desc" ? "$lte" : "$gte"] = opts.cursor.time;
  if (opts.cursor && order === "asc") delete timeRange.$gt;
  const fields = opts.fields ? [...new Set(["_id", "time", ...opts.fields])] : undefined;
  // Real CouchDB matches nothing with an empty selector inside `$and` (PouchDB matches all).
  const bound = { time: timeRange };
  const found = await db.find({
    selector: Object.keys(selector).length === 0 ? bound : { $and: [selector, bound] },
    sort: [{ time: order }],
    limit: limit + skipIds.size + 1,
    use_index: "by-time",
    ...(fields ? { fields } : {}),
  });
  const fresh = found.docs.filter((d) => !skipIds.has(d._id));
  const docs = fresh.slice(0, limit);
  const page: FindPage = { docs };
  const last = docs.at(-1);
  if (fresh.length > limit && last !== undefined) {
    const sameTime = docs.filter((d) => d.time === last.time).map((d) => d._id);
    const carried = opts.cursor?.time === last.time ? [...skipIds] : [];
    page.next = { time: last.time, ids: [...carried, ...sameTime] };
  }
  return page;
}

export function statusOf(err: unknown): number | undefined {
  return typeof err === "object" && err !== null && "statusCode" in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}
