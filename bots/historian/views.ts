/**
 * The historian's CouchDB map views (one design document, `_design/historian`), the native
 * secondary index for multi-valued fields that both real CouchDB and the embedded server
 * serve. They replace the value-index documents of earlier versions (one extra document per
 * value, which halved ingest): the documents are written alone and the server indexes them in
 * the background.
 *
 * - `by-value`: one row per (indexed key, value) of each event, key `[k, v, time]`, value the
 *   event's sighting id (store.ts), reduce `_count`. Answers `key = value` newest first, its
 *   exact count (reduce over the key range) and its distinct sightings (the row values),
 *   without reading documents.
 * - `counts`: key `[k, "d", day, v]` and `[k, "h", hour, v]` for the low-cardinality keys,
 *   reduce `_count`: `!count * by key since ...` as a few hundred grouped rows, not a scan;
 *   key `["*", ...]` counts the events themselves.
 *
 * `time` in the view is computed from the event itself, exactly as toDoc() does, so documents
 * written by earlier versions (whose `time` field was the stored time) sort by the events' own
 * times too. Changing a map function rebuilds the view: bump VIEWS_VERSION and say so in the
 * changelog; ensureViews() writes the design document only when it differs.
 */
import type { DocumentScope } from "nano";

export const DESIGN = "historian";

/** Event keys copied to flat document fields (store.ts) and indexed by `by-value`. */
export const INDEXED_KEYS = ["ip", "asn", "cc", "type", "feed", "domain name", "url"] as const;

/** Where an event's own time is, in order of preference (store.ts toDoc, the views). */
export const TIME_KEYS = ["source time", "observation time", "time"] as const;
export const VIEWS_VERSION = 1;

/** Keys in the `counts` view: few distinct values, so grouped rows stay few. */
export const COUNTED_KEYS = ["asn", "cc", "type", "feed"] as const;

// Map functions run in CouchDB's JavaScript engine (ES5: no arrow functions, no let).
const TIME_OF = `
  function timeOf(doc) {
    var ev = doc.event || {};
    var keys = ${JSON.stringify(TIME_KEYS)};
    for (var i = 0; i < keys.length; i++) {
      var vs = ev[keys[i]];
      if (vs && vs.length) return vs.slice().sort()[0];
    }
    return doc.seen || "";
  }`;

const BY_VALUE = `function (doc) {${TIME_OF}
  if (!doc.event || doc.ix) return;
  var keys = ${JSON.stringify(INDEXED_KEYS)};
  var t = timeOf(doc);
  for (var i = 0; i < keys.length; i++) {
    var vs = doc[keys[i]] || [];
    var done = {};
    for (var j = 0; j < vs.length; j++) {
      if (done[vs[j]]) continue;
      done[vs[j]] = true;
      emit([keys[i], vs[j], t], doc.sighting || doc._id);
    }
  }
}`;

const COUNTS = `function (doc) {${TIME_OF}
  if (!doc.event || doc.ix) return;
  var keys = ${JSON.stringify(COUNTED_KEYS)};
  var t = timeOf(doc);
  var day = t.slice(0, 10), hour = t.slice(0, 13);
  emit(["*", "d", day, ""], null);
  emit(["*", "h", hour, ""], null);
  for (var i = 0; i < keys.length; i++) {
    var vs = doc.event[keys[i]] || [""];
    var done = {};
    for (var j = 0; j < vs.length; j++) {
      if (done[vs[j]]) continue;
      done[vs[j]] = true;
      emit([keys[i], "d", day, vs[j]], null);
      emit([keys[i], "h", hour, vs[j]], null);
    }
  }
}`;

export interface DesignDoc {
  _id: string;
  _rev?: string;
  language: "javascript";
  version: number;
  views: Record<string, { map: string; reduce?: string }>;
}

export function designDoc(): DesignDoc {
  return {
    _id: `_design/${DESIGN}`,
    language: "javascript",
    version: VIEWS_VERSION,
    views: {
      "by-value": { map: BY_VALUE, reduce: "_count" },
      counts: { map: COUNTS, reduce: "_count" },
    },
  };
}

/**
 * Write the design document when missing or different. Tolerates concurrent openers (409):
 * whoever wrote it wrote the same thing, or a newer version that it keeps.
 */
export async function ensureViews(db: DocumentScope<unknown>): Promise<void> {
  const want = designDoc();
  const raw = db as unknown as DocumentScope<DesignDoc>;
  let have: DesignDoc | undefined;
  try {
    have = await raw.get(want._id);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  if (have !== undefined && have.version >= want.version) return;
  try {
    await raw.insert(have?._rev ? { ...want, _rev: have._rev } : want);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  }
}
