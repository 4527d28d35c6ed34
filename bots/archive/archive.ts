import { isAbsolute, join } from "node:path";
import { defineBot, param, RetryLater } from "../../core/index.js";
import { ArchiveWriter } from "./writer.js";

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
    const { batch, compress } = ctx.params;
    const dir = isAbsolute(ctx.params.dir) ? ctx.params.dir : join(ctx.stateDir, ctx.params.dir);
    const writer = new ArchiveWriter({ dir, compress });
    const old = await writer.compressOld();
    if (old.length > 0) ctx.log.info({ files: old.length }, "compressed earlier days");
    const failed = (err: unknown) => ctx.warn(`archive: ${String(err)}`, { err });
    ctx.every(ctx.params.flush_interval, async () => {
      await (writer.pending > 0 ? writer.flush() : writer.tick()).catch((err: unknown) => {
        failed(err);
        throw err;
      });
    });
    return {
      async consume(event, meta) {
        // Lines a failed write left queued go first; until they can, this event waits (it is
        // not queued yet, so the retry does not write it twice).
        if (writer.pending >= batch) {
          await writer.flush().catch((err: unknown) => {
            throw new RetryLater(`archive: ${String(err)}`);
          });
        }
        writer.append(meta.room, event.toJSON());
        ctx.count("archived");
        // Back-pressure: a full batch is written before the next event is taken. On failure the
        // lines stay queued for the next flush, so this event is not lost (nor dead-lettered).
        if (writer.pending >= batch) await writer.flush().catch(failed);
      },
      stop: () => writer.close(),
    };
  },
});
