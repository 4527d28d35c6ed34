// The QueryBackend over the historian's store (store.ts): its find() already pages by `time`
// with a cursor that handles ties, and keeps the flat fields as arrays; findByValue(),
// summarize() and countBy() are answered by the map views (by-value.ts).
import type { MangoSelector } from "nano";
import type { FoundPage, QueryBackend } from "./query.js";
import type { Cursor, FindPage, IndexedKey, Store } from "./store.js";
import { INDEXED_KEYS } from "./store.js";
import { COUNTED_KEYS } from "./views.js";

const found = (page: FindPage): FoundPage => ({
  docs: page.docs.map((d) => ({
    id: d._id,
    event: d.event,
    room: d.room,
    seen: d.seen,
    time: d.time,
    ...(d.time_from === undefined ? {} : { timeFrom: d.time_from }),
    ...(d.sighting === undefined ? {} : { sighting: d.sighting }),
  })),
  ...(page.next ? { next: page.next } : {}),
  ...(page.lag ? { lag: page.lag } : {}),
});

const indexed = (key: string): key is IndexedKey =>
  (INDEXED_KEYS as readonly string[]).includes(key);

export function storeBackend(
  store: Pick<Store, "find"> & Partial<Pick<Store, "findByValue" | "summarize" | "countBy">>,
): QueryBackend {
  const backend: QueryBackend = {
    shape: "array",
    async find(selector, opts) {
      const page = await store.find(selector as MangoSelector, {
        limit: opts.limit,
        order: "desc",
        fields: ["event", "room", "seen", "time", "time_from", "sighting"],
        ...(opts.cursor === undefined ? {} : { cursor: opts.cursor as Cursor }),
      });
      return found(page);
    },
  };
  const { findByValue, summarize, countBy } = store;
  if (findByValue) {
    backend.findByValue = async (key, value, opts) => {
      if (!indexed(key)) throw new Error(`findByValue: ${key} is not an indexed key`);
      return found(
        await findByValue.call(store, key, value, {
          since: opts.since,
          limit: opts.limit,
          ...(opts.cursor === undefined ? {} : { cursor: opts.cursor as Cursor }),
        }),
      );
    };
  }
  if (summarize) {
    backend.summarize = (key, value, since) =>
      indexed(key) ? summarize.call(store, key, value, { since }) : Promise.resolve(undefined);
  }
  if (countBy) {
    backend.countBy = (key, since) =>
      key === "*" || (COUNTED_KEYS as readonly string[]).includes(key)
        ? countBy.call(store, key as "*", since)
        : Promise.resolve(undefined);
  }
  return backend;
}
