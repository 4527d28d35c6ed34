import { join } from "node:path";
import { defineBot, param, ParamError, type BotContext } from "../../core/index.js";
import { historianCommands } from "./commands.js";
import { storeBackend } from "./query-store.js";
import { WriteQueue } from "./queue.js";
import { dbNameTrouble, openStore, stamp, toDoc, type Store, type StoredDoc } from "./store.js";

const params = {
  allowed: param.list({
    help: "JIDs (bare) that may ask !find, !ip, !net, !asn and !count, beside the admins",
    default: [],
  }),
  db: param.any<string>({
    help: "CouchDB database the events go to (lower case: a-z, 0-9, _$()+-/)",
    default: "events",
    check: (raw) => {
      const name = typeof raw === "string" ? raw : String(raw);
      const trouble = dbNameTrouble(name);
      if (trouble !== undefined) throw new ParamError(trouble);
      return name;
    },
  }),
  batch_size: param.int({
    help: "Documents per _bulk_docs write",
    default: 200,
    min: 1,
    max: 10_000,
  }),
  linger: param.duration({
    help: "How long a partial batch waits for more events before it is written",
    default: 500,
  }),
  memory_limit: param.int({
    help: "Queued documents kept in memory at most; beyond that they wait on disk only",
    default: 10_000,
    min: 1,
  }),
  retention_days: param.int({
    help: "Delete stored events older than this many days, by their time (0: keep forever)",
    default: 0,
    min: 0,
  }),
  retention_interval: param.duration({
    help: "How often old events are looked for and deleted",
    default: 3_600_000,
  }),
};

type Ctx = BotContext<typeof params>;

/** Open the store lazily, so a CouchDB down at start only delays writing. */
function storeOpener(ctx: Ctx): () => Promise<Store> {
  let store: Promise<Store> | undefined;
  return () => {
    const couch = ctx.couchdb;
    if (couch === undefined) return Promise.reject(new Error("no CouchDB configured"));
    store ??= openStore({ ...couch, db: ctx.params.db }).catch((err: unknown) => {
      store = undefined;
      throw err;
    });
    return store;
  };
}

/** Delete events older than the retention; returns how many. */
export async function applyRetention(
  store: Store,
  days: number,
  now = new Date(),
): Promise<number> {
  if (days <= 0) return 0;
  return store.deleteOlderThan(stamp(new Date(now.getTime() - days * 86_400_000)));
}

export const historian = defineBot({
  name: "historian",
  kind: "sink",
  description:
    "Stores every event of its rooms in CouchDB (one document per event id) for later search.",
  params,
  needs: ["couchdb"],
  askers: (p) => p.allowed,
  async start(ctx) {
    if (ctx.couchdb === undefined)
      throw new Error("historian needs a CouchDB (COUCHDB_URL or the embedded one)");
    // One store for the writes and the questions, opened on first use.
    const store = storeOpener(ctx);
    const queue = writeQueue(ctx, store);
    const load = await queue.start();
    const { torn, unreadable, records, migrated } = load;
    if (torn.length + unreadable.length > 0) {
      const lines = { torn, unreadable: unreadable.length, first: unreadable.slice(0, 5) };
      ctx.log.warn(lines, "queue journal: skipped records cut short by a crash or unreadable");
    }
    if (records + migrated > 0)
      ctx.log.info({ records, migrated }, "queue journal: documents of the last run to write");
    // Value-index documents of earlier versions: deleted in the background, never in the way.
    void store()
      .then((s) => s.dropIndexDocs(ctx.signal))
      .then((n) => {
        if (n > 0) ctx.log.info({ deleted: n }, "old value-index documents deleted");
      })
      .catch((err: unknown) => ctx.log.warn({ why: String(err) }, "old index cleanup failed"));
    const days = ctx.params.retention_days;
    if (days > 0) {
      ctx.every(
        ctx.params.retention_interval,
        async () => {
          try {
            const n = await applyRetention(await store(), days);
            if (n > 0) ctx.log.info({ deleted: n }, "retention: old events deleted");
          } catch (err) {
            // Only the message: a client error object may carry the request and its credentials.
            ctx.log.warn({ why: String(err) }, "retention sweep failed; next try later");
          }
        },
        { now: true },
      );
    }
    return {
      async consume(event, meta) {
        // Resolves once journaled: the runtime may then move its catch-up checkpoint past it.
        await queue.push(toDoc(event, meta, new Date()));
      },
      stop: () => queue.stop(),
      commands: historianCommands({ backend: async () => storeBackend(await store()) }),
    };
  },
});

/** The journaled queue that writes batches to the store, warning while CouchDB is down. */
function writeQueue(ctx: Ctx, store: () => Promise<Store>): WriteQueue<StoredDoc> {
  let warming = false;
  let warmedAt = 0;
  return new WriteQueue<StoredDoc>({
    dir: join(ctx.stateDir, "queue"),
    batchSize: ctx.params.batch_size,
    lingerMs: ctx.params.linger,
    maxMemory: ctx.params.memory_limit,
    async write(batch) {
      const s = await store();
      const r = await s.put(batch);
      ctx.count("stored", r.written);
      // Keep the query indexes current in the background, at most one refresh at a time and
      // one every few seconds, so a question after a busy hour does not index it all first.
      if (!warming && Date.now() - warmedAt > 5000) {
        warming = true;
        void s
          .warm()
          .catch((err: unknown) => ctx.log.warn({ why: String(err) }, "index refresh failed"))
          .finally(() => {
            warming = false;
            warmedAt = Date.now();
          });
      }
      if (r.existing > 0) ctx.count("already stored", r.existing);
    },
    onFailure(err, failures, pending) {
      ctx.count("write failures");
      const why = err instanceof Error ? err.message : String(err);
      // Only the message: a client error object may carry the request and its credentials.
      ctx.log.warn({ why, failures, pending }, "CouchDB write failed; events stay queued");
      if (failures === 1 || failures % 10 === 0) {
        ctx.warn(`CouchDB unreachable (${why}); ${pending} event(s) queued on disk, retrying`);
      }
    },
    onRecovery(failures, pending) {
      ctx.warn(`CouchDB reachable again after ${failures} failed write(s); ${pending} queued`);
    },
  });
}
