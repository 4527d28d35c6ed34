// What a historian stored, read straight from CouchDB (`_all_docs`), for counting in tests.
export interface StoredEvent {
  id: string;
  event: Record<string, string[]>;
}

/** `fetch` refuses URLs with credentials: move them to an Authorization header. */
function request(couchUrl: string, path: string): Promise<Response> {
  const url = new URL(couchUrl);
  const headers: Record<string, string> = {};
  if (url.username) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  return fetch(`${url.origin}${path}`, { headers });
}

/** Every document of `db` with its event (design documents left out). */
export async function storedEvents(couchUrl: string, db: string): Promise<StoredEvent[]> {
  const res = await request(couchUrl, `/${db}/_all_docs?include_docs=true`);
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
  // Event ids are hex: the key range leaves the value-index documents (`ix:...`) out.
  const range = `start_key=${encodeURIComponent('"0"')}&end_key=${encodeURIComponent('"g"')}`;
  const res = await request(couchUrl, `/${db}/_all_docs?${range}`);
  if (!res.ok) return 0;
  const body = (await res.json()) as { rows: { id: string }[] };
  return body.rows.filter((r) => EVENT_ID.test(r.id)).length;
}

/** Wait until `db` holds at least `n` events, polling gently (a count reads every id). */
export async function untilStored(
  couchUrl: string,
  db: string,
  n: number,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const have = await storedCount(couchUrl, db).catch(() => 0);
    if (have >= n) return;
    if (Date.now() > until) throw new Error(`timed out: ${have} of ${n} events stored in ${db}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
