/**
 * The historian's storage API: events as CouchDB documents, written and read through `nano`,
 * using only what real CouchDB and express-pouchdb both serve (documents, `_bulk_docs`, Mango
 * `_find` with indexes). Stable API for the chat commands (`!find`, `!ip`, `!count`, ...):
 *
 *   const store = await openStore({ url, db: "events" });      // creates the db and indexes
 *   await store.put([toDoc(event, { room }, new Date())]);      // idempotent: _id = event id
 *   const page = await store.find({ ip: { $elemMatch: { $eq: "192.0.2.1" } } }, { limit: 20 });
 *   const more = await store.find(selector, { limit: 20, cursor: page.next });
 *   const n = await store.count({ type: { $elemMatch: { $eq: "scanner" } } }, { max: 10_000 });
 *
 * A document: `{ _id: event id, event: {key: [values]}, room, seen, archive_id?, time, ip?, asn?,
 * cc?, type?, feed?, "domain name"?, url? }`. The flat fields are the event's values (arrays, so
 * select with `$elemMatch`); `time` is one sortable string (`YYYY-MM-DD HH:MM:SSZ`): the event's
 * earliest `time` value, else when it was stored (`seen`). find() pages by time (never by
 * bookmarks, which PouchDB does not serve): newest first unless `order: "asc"`.
 *
 * Mango cannot index array elements, so put() also writes one small value-index document per
 * (indexed key, value) of each event, in the same `_bulk_docs`: `_id: ix:["<key>","<value>",
 * "<event id>"]`, `{ ix: 1, k, v, t: <event time>, e: <event id> }` (`t`, not `time`, so the
 * event queries on the `by-time` index never see them). findByValue() answers `key = value`
 * from the `by-value` index on `[k, v, t]`, newest first, and fetches the events by id.
 * Databases that held events before index documents existed have no marker document
 * (`valueIndexed` false): their questions keep the `by-time` scan.
 */
import nano, { type DocumentScope, type MangoSelector, type ServerScope } from "nano";
import type { Event, EventJson } from "../../core/index.js";

/** Event keys copied to flat, indexed document fields. */
export const INDEXED_KEYS = ["ip", "asn", "cc", "type", "feed", "domain name", "url"] as const;
export type IndexedKey = (typeof INDEXED_KEYS)[number];

export interface StoredDoc {
  _id: string;
  _rev?: string;
  event: EventJson;
  room: string;
  /** When the historian stored it, `YYYY-MM-DD HH:MM:SSZ`. */
  seen: string;
  /** Sort and retention key: the event's earliest `time`, else `seen`. */
  time: string;
  archive_id?: string;
  ip?: string[];
  asn?: string[];
  cc?: string[];
  type?: string[];
  feed?: string[];
  "domain name"?: string[];
  url?: string[];
}

/** One value-index document (see the file header). */
export interface IndexDoc {
  _id: string;
  _rev?: string;
  ix: 1;
  k: IndexedKey;
  v: string;
  /** The event's `time`. */
  t: string;
  /** The event id. */
  e: string;
}

/** Marker: every event of this database has its value-index documents. */
const MARKER_ID = "historian-value-index";
const VALUE_INDEX = "by-value";

/** The id of the index document of `key = value` for event `id`. */
export function indexDocId(key: string, value: string, id: string): string {
  return `ix:${JSON.stringify([key, value, id])}`;
}

/** The value-index documents of an event document. */
export function indexDocs(doc: StoredDoc): IndexDoc[] {
  const out: IndexDoc[] = [];
  for (const k of INDEXED_KEYS) {
    for (const v of new Set(doc[k] ?? [])) {
      out.push({ _id: indexDocId(k, v, doc._id), ix: 1, k, v, t: doc.time, e: doc._id });
    }
  }
  return out;
}

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
}

export interface PutResult {
  /** Newly written. */
  written: number;
  /** Already there (409 conflict on the event id): a replay, not an error. */
  existing: number;
}

export interface Store {
  /** Write a batch with one `_bulk_docs`; throws when the server cannot be reached. */
  put(docs: StoredDoc[]): Promise<PutResult>;
  /**
   * Bring the indexes up to date now. Mango indexes are updated when queried, so without this
   * the first question after a large ingest pays for indexing all of it.
   */
  warm(): Promise<void>;
  find(selector: MangoSelector, opts?: FindOptions): Promise<FindPage>;
  /** True when findByValue() sees every stored event (see the file header). */
  readonly valueIndexed: boolean;
  /**
   * Events with `value` among their `key` values and `time >= since`, newest first, from the
   * value index (exactly what `find(hasValue(key, value))` finds, without scanning).
   */
  findByValue(
    key: IndexedKey,
    value: string,
    opts: { since: string; limit?: number; cursor?: Cursor },
  ): Promise<FindPage>;
  /** Count matching documents, stopping at `max` (default 100 000). */
  count(selector: MangoSelector, opts?: { max?: number }): Promise<number>;
  get(id: string): Promise<StoredDoc | undefined>;
  /** Delete documents with `time` before `cutoff` (`YYYY-MM-DD HH:MM:SSZ`); returns how many. */
  deleteOlderThan(cutoff: string, batch?: number): Promise<number>;
  close(): Promise<void>;
}

/** The document for an event seen in `room` at `seen`. */
export function toDoc(
  event: Event,
  meta: { room: string; archiveId?: string },
  seen: Date,
): StoredDoc {
  const seenText = stamp(seen);
  const times = event.values("time").sort();
  const doc: StoredDoc = {
    _id: event.id(),
    event: event.toJSON(),
    room: meta.room,
    seen: seenText,
    time: times[0] ?? seenText,
  };
  if (meta.archiveId !== undefined) doc.archive_id = meta.archiveId;
  for (const key of INDEXED_KEYS) {
    const values = event.values(key);
    if (values.length > 0) doc[key] = values.sort();
  }
  return doc;
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

/** Connect, create the database if missing and ensure the Mango indexes. */
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
  const valueIndexed = await ensureMarker(db); // before the indexes: it counts documents
  await ensureIndexes(db);
  return makeStore(db, valueIndexed);
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
  // The flat array fields cannot be indexed by element: `key = value` uses the value index.
  // Partial indexes: each holds only its own kind of document, so neither pays for the other's
  // writes (the embedded server files documents without the fields under a null key).
  await createIndex(db, {
    index: { fields: ["time"], partial_filter_selector: { ix: { $exists: false } } },
    name: "by-time",
    ddoc: "by-time",
  });
  await createIndex(db, {
    index: { fields: ["k", "v", "t"], partial_filter_selector: { ix: 1 } },
    name: VALUE_INDEX,
    ddoc: VALUE_INDEX,
  });
}

/** Whether the value index covers every event: marked when the database starts out empty. */
async function ensureMarker(db: DocumentScope<StoredDoc>): Promise<boolean> {
  const raw = db as unknown as DocumentScope<{ _id: string }>;
  try {
    await raw.get(MARKER_ID);
    return true;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  if ((await db.info()).doc_count > 0) {
    // A concurrent opener may have just written the marker (it counts as a document too).
    return raw.get(MARKER_ID).then(
      () => true,
      (err: unknown) => {
        if (statusOf(err) === 404) return false;
        throw err;
      },
    );
  }
  try {
    await raw.insert({ _id: MARKER_ID });
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
  }
  return true;
}

function makeStore(db: DocumentScope<StoredDoc>, valueIndexed: boolean): Store {
  return {
    async put(docs) {
      if (docs.length === 0) return { written: 0, existing: 0 };
      const events = new Set(docs.map((d) => d._id));
      const all = [...docs, ...(docs.flatMap(indexDocs) as unknown as StoredDoc[])];
      const results = await db.bulk({ docs: all });
      let written = 0;
      let existing = 0;
      for (const r of results) {
        const event = r.id !== undefined && events.has(r.id);
        if (r.error === undefined) written += event ? 1 : 0;
        else if (r.error === "conflict") existing += event ? 1 : 0;
        else throw new Error(`_bulk_docs: ${r.id}: ${r.error}: ${r.reason ?? ""}`);
      }
      return { written, existing };
    },
    find: (selector, opts = {}) => findPage(db, selector, opts),
    async warm() {
      await db.find({ selector: { time: { $gt: "" } }, use_index: "by-time", limit: 1 });
      await db.find({
        selector: { ix: 1, k: "ip", v: "", t: { $gt: "" } },
        use_index: VALUE_INDEX,
        limit: 1,
      });
    },
    valueIndexed,
    findByValue: (key, value, opts) => findByValue(db, key, value, opts),
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
          fields: ["_id", "_rev", ...INDEXED_KEYS],
          use_index: "by-time",
          limit: batch,
        });
        if (found.docs.length === 0) return deleted;
        const gone = found.docs.map((d) => ({ _id: d._id, _rev: d._rev ?? "", _deleted: true }));
        const events = new Set(gone.map((d) => d._id));
        // Their index documents too (ids from the flat fields; revisions from _all_docs).
        const keys = found.docs.flatMap((d) =>
          INDEXED_KEYS.flatMap((k) => [...new Set(d[k] ?? [])].map((v) => indexDocId(k, v, d._id))),
        );
        if (keys.length > 0) {
          const revs = await db.fetchRevs({ keys });
          for (const row of revs.rows) {
            if (!("value" in row) || (row.value as { deleted?: boolean }).deleted === true)
              continue;
            gone.push({ _id: row.id, _rev: row.value.rev, _deleted: true });
          }
        }
        const results = await db.bulk({ docs: gone });
        deleted += results.filter((r) => r.error === undefined && events.has(r.id ?? "")).length;
      }
    },
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

async function findByValue(
  db: DocumentScope<StoredDoc>,
  key: IndexedKey,
  value: string,
  opts: { since: string; limit?: number; cursor?: Cursor },
): Promise<FindPage> {
  const limit = Math.max(1, Math.min(opts.limit ?? 50, 1000));
  const skipIds = new Set(opts.cursor?.ids ?? []);
  const t: Record<string, string> = { $gte: opts.since };
  if (opts.cursor) t.$lte = opts.cursor.time;
  const ix = db as unknown as DocumentScope<IndexDoc>;
  const found = await ix.find({
    selector: { k: key, v: value, t },
    sort: [{ k: "desc" }, { v: "desc" }, { t: "desc" }],
    limit: limit + skipIds.size + 1,
    use_index: VALUE_INDEX,
    fields: ["e", "t"],
  });
  const fresh = found.docs.filter((d) => !skipIds.has(d.e));
  const rows = fresh.slice(0, limit);
  const docs: StoredDoc[] = [];
  if (rows.length > 0) {
    const got = await db.fetch({ keys: rows.map((r) => r.e) });
    for (const row of got.rows) if ("doc" in row && row.doc) docs.push(row.doc);
  }
  const page: FindPage = { docs };
  const last = rows.at(-1);
  if (fresh.length > limit && last !== undefined) {
    const sameTime = rows.filter((d) => d.t === last.t).map((d) => d.e);
    const carried = opts.cursor?.time === last.t ? [...skipIds] : [];
    page.next = { time: last.t, ids: [...carried, ...sameTime] };
  }
  return page;
}

function statusOf(err: unknown): number | undefined {
  return typeof err === "object" && err !== null && "statusCode" in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}
