/**
 * The file-feed's follow mode: records from the lines appended to a log file, the read
 * position (and a CSV header) saved after each block's events are out, so a restart resumes
 * where it stopped without re-sending or losing lines.
 */
import { createReadStream } from "node:fs";
import { basename, join } from "node:path";
import {
  followFile,
  formatTime,
  readJsonFile,
  writeJsonFile,
  type BotContext,
  type Event,
  type FilePosition,
} from "../../core/index.js";
import { csvRecords } from "./formats/csv.js";
import { readEvents } from "./pipeline.js";
import { ReadReport } from "./report.js";
import { sourceMapper, type Source } from "./spec.js";
import { decodeText } from "./text.js";
import type { FormatSpec } from "./types.js";

const POSITION = "follow-position.json";

interface Saved {
  path: string;
  pos: FilePosition;
  header?: string[] | undefined;
  /**
   * The block from `pos` on was being read at this time: after a crash it is read again with
   * the same `observation time`, so its events keep their ids.
   */
  observed?: string | undefined;
}

export interface FollowOptions {
  path: string;
  /** Drop events whose `source time` is older than this many ms (0: keep all). */
  dropOlderThan: number;
  pollMs?: number;
}

async function* once(text: string): AsyncIterable<string> {
  yield await Promise.resolve(text);
}

/** The header row of a CSV file, read from its start (resuming mid-file without a saved one). */
async function readHeader(
  path: string,
  format: Extract<FormatSpec, { type: "csv" }>,
): Promise<string[] | undefined> {
  let header: string[] | undefined;
  const stream = createReadStream(path);
  try {
    for await (const _ of csvRecords(format, decodeText(stream), () => undefined, {
      onHeader: (c) => (header = c),
    }))
      break;
  } finally {
    stream.destroy();
  }
  return header;
}

export async function* followLog(
  ctx: BotContext,
  source: Source,
  opts: FollowOptions,
): AsyncIterable<Event> {
  const { path, dropOlderThan: drop, pollMs = 1000 } = opts;
  const file = join(ctx.stateDir, POSITION);
  // The position is a cache: an unreadable one means reading the file from its start.
  const saved = await readJsonFile<Saved>(file).catch(() => undefined);
  const start = saved?.path === path ? saved.pos : undefined;
  const csv =
    source.format.type === "csv" && source.format.columns === "header" ? source.format : undefined;
  let header = start ? saved?.header : undefined;
  let resumed = start ? saved?.observed : undefined;
  if (csv && start && start.offset > 0 && !header) header = await readHeader(path, csv);
  const mapper = sourceMapper(source);
  const blocks = followFile(path, start, {
    signal: ctx.signal,
    pollMs,
    onReset: (why) =>
      ctx.log.info({ feed: source.name, path }, `${path} was ${why}; reading it from the start`),
  });
  for await (const block of blocks) {
    if (block.fresh) header = undefined;
    // Banner lines are at the start of the file only.
    const format =
      block.fresh || source.format.type !== "csv"
        ? source.format
        : { ...source.format, skipLines: 0 };
    const report = new ReadReport(source.name, "line", ctx, basename(path));
    const observed = resumed ?? formatTime(new Date());
    resumed = undefined;
    const at = { ino: block.end.ino, offset: block.start, line: block.firstLine };
    await writeJsonFile(file, { path, pos: at, header, observed } satisfies Saved);
    yield* readEvents(once(block.text), {
      observed,
      format,
      read: { firstLine: block.firstLine, columns: header, onHeader: (c) => (header = c) },
      mapper,
      report,
      dropOlderThan: drop,
      count: (name, n) => ctx.count(name, n),
    });
    report.warnBad();
    await writeJsonFile(file, { path, pos: block.end, header } satisfies Saved);
  }
}
