// The QueryBackend over the historian's store (store.ts): its find() already pages by `time`
// with a cursor that handles ties, and keeps the flat fields as arrays.
import type { MangoSelector } from "nano";
import type { Cursor, Store } from "./store.js";
import type { QueryBackend } from "./query.js";

export function storeBackend(store: Pick<Store, "find">): QueryBackend {
  return {
    shape: "array",
    async find(selector, opts) {
      const page = await store.find(selector as MangoSelector, {
        limit: opts.limit,
        order: "desc",
        fields: ["event", "room", "seen", "time"],
        ...(opts.cursor === undefined ? {} : { cursor: opts.cursor as Cursor }),
      });
      return {
        docs: page.docs.map((d) => ({
          id: d._id,
          event: d.event,
          room: d.room,
          seen: d.seen,
          time: d.time,
        })),
        ...(page.next ? { next: page.next } : {}),
      };
    },
  };
}
