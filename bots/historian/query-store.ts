// The QueryBackend over the historian's store (store.ts): its find() already pages by `time`
// with a cursor that handles ties, and keeps the flat fields as arrays; findByValue() answers
// `key = value` from the value index when the database has one for every event.
import type { MangoSelector } from "nano";
import type { Cursor, FindPage, IndexedKey, Store } from "./store.js";
import type { FoundPage, QueryBackend } from "./query.js";
import { INDEXED_KEYS } from "./store.js";

const found = (page: FindPage): FoundPage => ({
  docs: page.docs.map((d) => ({
    id: d._id,
    event: d.event,
    room: d.room,
    seen: d.seen,
    time: d.time,
  })),
  ...(page.next ? { next: page.next } : {}),
});

export function storeBackend(
  store: Pick<Store, "find"> & Partial<Pick<Store, "findByValue" | "valueIndexed">>,
): QueryBackend {
  const byValue = store.valueIndexed === true ? store.findByValue?.bind(store) : undefined;
  return {
    shape: "array",
    ...(byValue === undefined
      ? {}
      : {
          async findByValue(key, value, opts) {
            if (!(INDEXED_KEYS as readonly string[]).includes(key)) {
              throw new Error(`findByValue: ${key} is not an indexed key`);
            }
            return found(
              await byValue(key as IndexedKey, value, {
                since: opts.since,
                limit: opts.limit,
                ...(opts.cursor === undefined ? {} : { cursor: opts.cursor as Cursor }),
              }),
            );
          },
        }),
    async find(selector, opts) {
      const page = await store.find(selector as MangoSelector, {
        limit: opts.limit,
        order: "desc",
        fields: ["event", "room", "seen", "time"],
        ...(opts.cursor === undefined ? {} : { cursor: opts.cursor as Cursor }),
      });
      return found(page);
    },
  };
}
