/**
 * Questions to the historian's map views (views.ts), with freshness: a view query normally
 * waits until the view holds every stored document. While events pour in faster than the
 * server indexes them that wait could be minutes, so a query waits at most `waitMs`; then it
 * is asked again for what the view has now (`update=false`, `stale=ok` for PouchDB) and the
 * answer carries how far behind the view is (Lag), which the reply states.
 */
import type { DocumentScope } from "nano";
import { DESIGN } from "./views.js";

/** How far a view is behind the database when it answered. */
export interface Lag {
  /** Changes not yet in the view. */
  changes: number;
  /** Age of the oldest of them (from its `seen`), when known. */
  seconds?: number;
}

export interface ViewRow<K = unknown[], V = unknown> {
  id?: string;
  key: K;
  value: V;
  doc?: unknown;
}

export interface ViewAnswer<K, V> {
  rows: ViewRow<K, V>[];
  lag?: Lag;
}

/** Default wait for an up-to-date view before answering from a stale one. */
export const WAIT_MS = 2000;

type Params = Record<string, unknown>;

/** Query a view of the historian's design document (see the file comment). */
export async function queryView<K = unknown[], V = unknown>(
  db: DocumentScope<unknown>,
  view: string,
  params: Params,
  waitMs = WAIT_MS,
): Promise<ViewAnswer<K, V>> {
  const ask = (extra: Params) =>
    db.view(DESIGN, view, { ...params, ...extra } as never) as unknown as Promise<{
      rows: ViewRow<K, V>[];
      update_seq?: string | number;
    }>;
  const fresh = ask({});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), waitMs);
  });
  const first = await Promise.race([fresh, late]).finally(() => clearTimeout(timer));
  if (first !== "late") return { rows: first.rows };
  // Still indexing: keep the fresh query running (it drives the indexer) and answer now.
  fresh.catch(() => undefined);
  const stale = await ask({ update: false, stale: "ok", update_seq: true });
  const lag = await lagOf(db, stale.update_seq);
  return lag.changes > 0 ? { rows: stale.rows, lag } : { rows: stale.rows };
}

/** The leading number of a CouchDB sequence (`"2001-g1AAA..."`; PouchDB's are numbers). */
export function seqNumber(seq: string | number | undefined): number {
  if (typeof seq === "number") return seq;
  const n = Number.parseInt(String(seq ?? "0"), 10);
  return Number.isFinite(n) ? n : 0;
}

/** How far behind the database a view at `viewSeq` is. */
export async function lagOf(
  db: DocumentScope<unknown>,
  viewSeq: string | number | undefined,
  now = Date.now(),
): Promise<Lag> {
  const info = await db.info();
  const changes = Math.max(0, seqNumber(info.update_seq) - seqNumber(viewSeq));
  if (changes === 0) return { changes };
  try {
    const since = viewSeq === undefined ? 0 : viewSeq;
    const feed = (await db.changes({ since, limit: 5, include_docs: true } as never)) as {
      results: { doc?: { seen?: string } }[];
    };
    const seen = feed.results.map((r) => r.doc?.seen).find((s) => typeof s === "string");
    if (seen === undefined) return { changes };
    const at = Date.parse(seen.replace(" ", "T"));
    return Number.isNaN(at) ? { changes } : { changes, seconds: Math.max(0, (now - at) / 1000) };
  } catch {
    return { changes };
  }
}

/** "index 3 s behind (1200 events not yet indexed)": said beside an answer from a stale view. */
export function lagNote(lag: Lag | undefined): string | undefined {
  if (lag === undefined || lag.changes === 0) return undefined;
  const secs = lag.seconds === undefined ? "" : ` ${Math.max(1, Math.round(lag.seconds))} s`;
  return `(index${secs} behind: ${lag.changes} newer change(s) not in this answer yet)`;
}
