import { isAbsolute, join } from "node:path";
import { defineBot, param } from "../../core/index.js";
import { ArchiveWriter } from "./writer.js";

const writers = new WeakMap<object, { writer: ArchiveWriter; timer: NodeJS.Timeout }>();

/** AbuseHelper's archivebot: every event of the input rooms, one JSON line each, by day. */
export const archive = defineBot({
  name: "archive",
  kind: "sink",
  description: "Archives the events of its input rooms as daily JSON-lines files, gzipped per day.",
  params: {
    dir: param.string({
      help: "Archive directory; a relative path is under the bot's state dir",
      default: "archive",
    }),
    compress: param.bool({ help: "Gzip a day's file once the day (UTC) is over", default: true }),
    batch: param.int({
      help: "Events written and fsync'd together at most",
      default: 1000,
      min: 1,
    }),
    flush_interval: param.duration({
      help: "How long events wait to be written together (one fsync per batch)",
      default: 200,
    }),
  },
  async start(ctx) {
    const dir = isAbsolute(ctx.params.dir) ? ctx.params.dir : join(ctx.stateDir, ctx.params.dir);
    const writer = new ArchiveWriter({ dir, compress: ctx.params.compress });
    const old = await writer.compressOld();
    if (old.length > 0) ctx.log.info({ files: old.length }, "compressed earlier days");
    const timer = setInterval(() => {
      const work = writer.pending > 0 ? writer.flush() : writer.tick();
      work.catch((err: unknown) => ctx.warn(`archive: ${String(err)}`, { err }));
    }, ctx.params.flush_interval);
    writers.set(ctx, { writer, timer });
  },
  async consume(event, ctx, meta) {
    const w = writers.get(ctx);
    if (w === undefined) throw new Error("archive: not started");
    w.writer.append(meta.room, event.toJSON());
    ctx.count("archived");
    // Back-pressure: a full batch is written before the next event is taken.
    if (w.writer.pending >= ctx.params.batch) await w.writer.flush();
  },
  async stop(ctx) {
    const w = writers.get(ctx);
    if (w === undefined) return;
    clearInterval(w.timer);
    await w.writer.close();
  },
});
