// Databases written by earlier versions hold one value-index document per (key, value) of each
// event (`_id: ix:[...]`) and their Mango index (`_design/by-value`). The views (views.ts)
// skip them, so every event is answerable at once; this deletes them in the background, a
// batch at a time, so they stop costing disk and index time. Run again, it finds nothing.
import type { DocumentScope } from "nano";

const OLD_DDOCS = ["_design/by-value", "historian-value-index"];

/** Delete the old index documents; returns how many. */
export async function dropIndexDocs(
  db: DocumentScope<unknown>,
  opts: { batch?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const batch = opts.batch ?? 1000;
  let deleted = 0;
  for (;;) {
    if (opts.signal?.aborted === true) return deleted;
    // `ix:` ids sort together: `;` is the character after `:`.
    const page = await db.list({ startkey: "ix:", endkey: "ix;", limit: batch });
    const gone = page.rows.map((r) => ({ _id: r.id, _rev: r.value.rev, _deleted: true }));
    if (gone.length === 0) break;
    await db.bulk({ docs: gone });
    deleted += gone.length;
  }
  for (const id of OLD_DDOCS) {
    try {
      const doc = (await db.get(id)) as { _rev: string };
      await db.destroy(id, doc._rev);
    } catch {
      // Not there (or a concurrent historian took it): nothing to do.
    }
  }
  return deleted;
}
