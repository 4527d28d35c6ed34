import { isAbsolute, join } from "node:path";
import { defineBot, param } from "../../core/index.js";
import { ArchiveWriter } from "./writer.js";

/** A promise with its settle functions (Promise.withResolvers is Node 22+). */
function deferred() {
  let resolve = (): void => undefined;
  let reject = (_err: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a failed flush nobody waits for is not unhandled
  return { promise, resolve, reject };
}

function aborted(signal: AbortSignal): Promise<"stopping"> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve("stopping");
    signal.addEventListener("abort", () => resolve("stopping"), { once: true });
  });
}

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
  // Events wait for the fsync of their batch: this many may wait at once.
  concurrency: (p) => p.batch,
  async start(ctx) {
    const { batch, compress } = ctx.params;
    const dir = isAbsolute(ctx.params.dir) ? ctx.params.dir : join(ctx.stateDir, ctx.params.dir);
    const writer = new ArchiveWriter({ dir, compress });
    const old = await writer.compressOld();
    if (old.length > 0) ctx.log.info({ files: old.length }, "compressed earlier days");
    const failed = (err: unknown) => ctx.warn(`archive: ${String(err)}`, { err });
    // Each flush settles the promise the events queued before it wait on: an event counts as
    // archived (and the runtime moves the checkpoint past it) only once its line is fsync'd.
    let next = deferred();
    const flush = async (): Promise<void> => {
      const done = next;
      next = deferred();
      try {
        await writer.flush();
        done.resolve();
      } catch (err) {
        failed(err); // the lines stay queued: the next flush writes them
        done.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    ctx.every(ctx.params.flush_interval, () => (writer.pending > 0 ? flush() : writer.tick()));
    return {
      async consume(event, meta) {
        writer.append(meta.room, event.toJSON());
        ctx.count("archived");
        for (;;) {
          const written = next.promise;
          if (writer.pending >= batch) void flush();
          const outcome = await Promise.race([
            written.then(
              () => "written" as const,
              () => "failed" as const,
            ),
            aborted(ctx.signal),
          ]);
          if (outcome === "written") return;
          if (outcome === "stopping") throw new Error("stopping before the line was written");
          // A failed write: the line is still queued; wait for the next flush.
        }
      },
      async stop() {
        await flush();
        await writer.close();
      },
    };
  },
});
