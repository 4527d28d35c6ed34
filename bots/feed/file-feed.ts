import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  beginRead,
  defineBot,
  missingFiles,
  param,
  ParamError,
  problemsOf,
  type BotContext,
  type Event,
  type ParamValues,
} from "../../core/index.js";
import { decompress } from "./decode.js";
import { isLineBased, unitOf } from "./formats/index.js";
import { readEvents, type Dedup } from "./pipeline.js";
import { ReadReport } from "./report.js";
import { IdSet } from "./seen.js";
import { resolveSource, sourceMapper, sourceParams, type Source } from "./spec.js";
import { loadPrevious, saveRead } from "./state.js";
import { followLog } from "./follow.js";
import { decodeText } from "./text.js";

const params = {
  ...sourceParams,
  path: param.string({
    help: "File to read, or a directory whose files are all read (sorted by name); .gz/.zip/.bz2 are unpacked",
  }),
  follow: param.bool({
    help: "Follow the file as it grows, across rotation and truncation (like tail -F), resuming where it stopped after a restart",
    default: false,
  }),
  replay_interval: param.duration({
    help: "Re-read and re-emit the whole file every interval (replays bundled sample data; replays skip the new-since-last-read filter); 0 reads once",
    default: 0,
  }),
};

type Ctx = BotContext<typeof params>;

function resolve(p: ParamValues<typeof params>, id: string): Source {
  const source = resolveSource("file-feed", p, { name: "path", given: true }, id);
  if (p.follow && !isLineBased(source.format)) {
    throw new ParamError(
      `${source.name ? `file-feed ${source.name}` : "file-feed"}: follow needs a line-based format (csv, list, json with lines: true)`,
    );
  }
  return source;
}

/** The files a path stands for: itself, or the plain files of a directory by name. */
async function filesOf(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith(".") && !e.name.endsWith(".tmp"))
    .map((e) => join(path, e.name))
    .sort();
}

/** One read of every file; only a read where every file was read whole replaces the state. */
async function* readOnce(ctx: Ctx, source: Source, dedupe: boolean): AsyncIterable<Event> {
  const files = await filesOf(ctx.params.path).catch((err: Error) => {
    throw new Error(`file-feed ${source.name}: cannot read ${ctx.params.path}: ${err.message}`, {
      cause: err,
    });
  });
  const previous = dedupe ? await loadPrevious(ctx.stateDir, ctx.log, source.name) : new IdSet();
  const dedup: Dedup | undefined = dedupe
    ? { previous, next: new IdSet(previous.size) }
    : undefined;
  const mapper = sourceMapper(source);
  const reports: ReadReport[] = [];
  const observed = await beginRead(ctx.state);
  let complete = true;
  for (const file of files) {
    const report = new ReadReport(source.name, unitOf(source.format), ctx, basename(file));
    reports.push(report);
    try {
      const { body } = await decompress(createReadStream(file));
      yield* readEvents(decodeText(body), {
        format: source.format,
        mapper,
        report,
        dropOlderThan: ctx.params.drop_older_than,
        dedup,
        observed: observed.time,
        count: (name, n) => ctx.count(name, n),
      });
    } catch (err) {
      // One broken file must not stop the others; the state stays as it was.
      complete = false;
      const msg = `${report.where(report.lastLine)}: reading failed: ${(err as Error).message}`;
      ctx.count("errors");
      ctx.log.error({ err, feed: source.name, file }, msg);
      ctx.warn(msg);
    }
  }
  for (const report of reports) {
    try {
      report.finish();
    } catch (err) {
      complete = false;
      ctx.warn((err as Error).message);
    }
  }
  if (!complete) return;
  if (!dedup) return observed.done();
  await saveRead(ctx.stateDir, dedup.next, reports);
  await observed.done();
  ctx.log.info({ feed: source.name, files: files.length, ids: dedup.next.size }, "files read");
}

export const fileFeed = defineBot({
  name: "file-feed",
  kind: "source",
  description:
    "Reads a local file or directory (a preset or format + map): once, replayed every interval, or followed as it grows; emits what is new since the last read.",
  params,
  check: (p) => [
    ...problemsOf(() => sourceMapper(resolve(p, ""))),
    // Followed logs may appear later; a file read once must be there.
    ...(p.follow ? [] : missingFiles({ path: p.path })),
  ],
  start(ctx) {
    const source = resolve(ctx.params, ctx.id);
    sourceMapper(source);
    return { stream: () => fileEvents(ctx, source) };
  },
});

async function* fileEvents(ctx: Ctx, source: Source): AsyncIterable<Event> {
  if (ctx.params.follow) {
    const { path, drop_older_than: dropOlderThan } = ctx.params;
    yield* followLog(ctx, source, { path, dropOlderThan });
    return;
  }
  const replay = ctx.params.replay_interval;
  for (let first = true; first || (replay > 0 && !ctx.signal.aborted); first = false) {
    if (!first) await sleep(replay, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) return;
    yield* readOnce(ctx, source, replay === 0);
  }
}
