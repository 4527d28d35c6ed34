// The questions the map views answer (views.ts): `key = value` newest first, its summary, and
// events per value of a counted key. Each passes through queryView(), so a view that is behind
// answers at once with what it has and says how far behind (`lag`).
import type { DocumentScope } from "nano";
import { queryView, type Lag } from "./view-query.js";
import { COUNTED_KEYS } from "./views.js";
import type { Cursor, FindPage, IndexedKey, StoredDoc, ValueSummary } from "./store.js";

export type CountedKey = (typeof COUNTED_KEYS)[number] | "*";

export interface KeyCounts {
  /** Value → events ("" for events without the key). For "*": one entry, all events. */
  counts: Map<string, number>;
  /** The window's start: `since` rounded down to the hour. */
  from: string;
  lag?: Lag;
}

type Db = DocumentScope<unknown>;
/** Sorts after every string in CouchDB's collation (objects come after strings). */
const HIGH = {};

export async function findByValue(
  db: Db,
  key: IndexedKey,
  value: string,
  opts: { since: string; limit?: number; cursor?: Cursor },
): Promise<FindPage> {
  const limit = Math.max(1, Math.min(opts.limit ?? 50, 1000));
  const skipIds = new Set(opts.cursor?.ids ?? []);
  const res = await queryView<[string, string, string], string>(db, "by-value", {
    descending: true,
    startkey: [key, value, opts.cursor?.time ?? HIGH],
    endkey: [key, value, opts.since],
    reduce: false,
    include_docs: true,
    limit: limit + skipIds.size + 1,
  });
  const fresh = res.rows.filter((r) => r.id !== undefined && !skipIds.has(r.id));
  const rows = fresh.slice(0, limit);
  const docs = rows.map((r) => r.doc as StoredDoc).filter((d) => d !== undefined && d !== null);
  const page: FindPage = { docs, ...(res.lag ? { lag: res.lag } : {}) };
  const last = rows.at(-1);
  if (fresh.length > limit && last !== undefined) {
    const t = last.key[2];
    const sameTime = rows.filter((r) => r.key[2] === t).map((r) => r.id ?? "");
    const carried = opts.cursor?.time === t ? [...skipIds] : [];
    page.next = { time: t, ids: [...carried, ...sameTime] };
  }
  return page;
}

/** Exact count (reduce), distinct sightings and first/last time from at most `max` rows. */
export async function summarize(
  db: Db,
  key: IndexedKey,
  value: string,
  opts: { since: string; max?: number },
): Promise<ValueSummary> {
  const max = opts.max ?? 200_000;
  const range = { startkey: [key, value, opts.since], endkey: [key, value, HIGH] };
  const total = await queryView<null, number>(db, "by-value", { ...range, reduce: true });
  const events = total.rows[0]?.value ?? 0;
  if (events === 0) return { events: 0, distinct: 0, truncated: false };
  // Newest first, so `last` is exact even when the rows are cut.
  const res = await queryView<[string, string, string], string>(db, "by-value", {
    descending: true,
    startkey: range.endkey,
    endkey: range.startkey,
    reduce: false,
    limit: max,
  });
  const sightings = new Set(res.rows.map((r) => r.value));
  const truncated = res.rows.length < events;
  const lag = total.lag ?? res.lag;
  const last = res.rows[0]?.key[2];
  const first = res.rows.at(-1)?.key[2];
  return {
    events,
    distinct: sightings.size,
    truncated,
    ...(first === undefined ? {} : { first }),
    ...(last === undefined ? {} : { last }),
    ...(lag ? { lag } : {}),
  };
}

/** Events per value of `key` since `since`, from whole days and the hours before the first. */
export async function countBy(db: Db, key: CountedKey, since: string): Promise<KeyCounts> {
  const from = hourStart(since);
  const counts = new Map<string, number>();
  let lag: Lag | undefined;
  const add = async (startkey: unknown[], endkey: unknown[]) => {
    const res = await queryView<unknown[], number>(db, "counts", {
      startkey,
      endkey,
      group_level: 4,
    });
    lag ??= res.lag;
    for (const row of res.rows) {
      const v = typeof row.key[3] === "string" ? row.key[3] : "";
      counts.set(v, (counts.get(v) ?? 0) + row.value);
    }
  };
  const day = from.slice(0, 10);
  const hour = from.slice(0, 13);
  if (hour.endsWith(" 00")) {
    await add([key, "d", day], [key, "d", HIGH]);
  } else {
    await add([key, "h", hour], [key, "h", `${day} 23`, HIGH]);
    await add([key, "d", nextDay(day)], [key, "d", HIGH]);
  }
  return { counts, from, ...(lag ? { lag } : {}) };
}

/** `YYYY-MM-DD HH:00:00Z` of a `YYYY-MM-DD HH:MM:SSZ` time. */
export function hourStart(time: string): string {
  return `${time.slice(0, 13)}:00:00Z`;
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
