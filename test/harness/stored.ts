// What a historian stored, read straight from CouchDB (`_all_docs`), for counting in tests.
export interface StoredEvent {
  id: string;
  event: Record<string, string[]>;
}

/** Every document of `db` with its event (design documents left out). */
export async function storedEvents(couchUrl: string, db: string): Promise<StoredEvent[]> {
  const res = await fetch(`${couchUrl}/${db}/_all_docs?include_docs=true`);
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`_all_docs of ${db}: HTTP ${res.status}`);
  const body = (await res.json()) as {
    rows: { id: string; doc?: { event?: Record<string, string[]> } }[];
  };
  return body.rows
    .filter((r) => EVENT_ID.test(r.id) && r.doc?.event !== undefined)
    .map((r) => ({ id: r.id, event: r.doc?.event ?? {} }));
}

const EVENT_ID = /^[0-9a-f]{40}$/;

/** How many events `db` holds (0 when it does not exist yet): index documents left out. */
export async function storedCount(couchUrl: string, db: string): Promise<number> {
  const res = await fetch(`${couchUrl}/${db}/_all_docs`);
  if (!res.ok) return 0;
  const body = (await res.json()) as { rows: { id: string }[] };
  return body.rows.filter((r) => EVENT_ID.test(r.id)).length;
}
