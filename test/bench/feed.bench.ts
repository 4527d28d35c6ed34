/**
 * Feed engine throughput: a generated 1M-line blocklist (plain list) and a 200k-row CSV feed,
 * read from disk, at each stage — bare line reading (readline, the baseline), parse only,
 * parse + map, and the whole path the bot runs (parse + map + event id + new-since-last-poll
 * filter) — with the memory at 250k and 1M lines to show it stays flat in the feed size
 * (only the id table grows: 16-32 bytes an id). Prints figures; asserts nothing.
 * Run: npx tsx test/bench/feed.bench.ts   (node --expose-gc --import tsx ... for heap after GC)
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pino } from "pino";
import { readRecords } from "../../bots/feed/formats/index.js";
import { compileMapping } from "../../bots/feed/mapping.js";
import { readEvents } from "../../bots/feed/pipeline.js";
import { ReadReport } from "../../bots/feed/report.js";
import { IdSet } from "../../bots/feed/seen.js";
import { decodeText } from "../../bots/feed/text.js";
import type { FormatSpec, Mapping } from "../../bots/feed/types.js";
import { seededRandom } from "../../core/host/wire/random-events.js";
import { fmt } from "./measure.js";

const LIST_LINES = 1_000_000;
const CSV_ROWS = 200_000;

function* blocklist(n: number): Iterable<string> {
  const rnd = seededRandom(11);
  yield "# generated blocklist\n; for the feed benchmark";
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const a = (i >>> 16) & 255;
    const b = (i >>> 8) & 255;
    const c = i & 255;
    if (r < 0.85) yield `10.${a}.${b}.${c}${r < 0.2 ? "  # scanner" : ""}`;
    else if (r < 0.9) yield `10.${a}.${b}.0/24 ; SBL${i}`;
    else if (r < 0.95) yield `2001:db8:${a.toString(16)}:${b.toString(16)}::${c.toString(16)}`;
    else yield `host${i}.example.com`;
  }
}

function* csv(n: number): Iterable<string> {
  const rnd = seededRandom(5);
  const families = ["emotet", "qakbot", "dridex", "mirai"];
  yield "# generated CSV feed\nfirst_seen_utc,dst_ip,dst_port,malware,tags";
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 1000)
      .toISOString()
      .slice(0, 19)
      .replace("T", " ");
    const fam = families[Math.floor(rnd() * families.length)] ?? "mirai";
    yield `${t},198.51.${(i >>> 8) & 255}.${i & 255},${443 + (i % 7)},${fam},"c2,${fam}"`;
  }
}

/** Write generated lines to a file in pieces, so the process does not start out big. */
async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  let piece: string[] = [];
  const flush = () =>
    new Promise<void>((resolve) => out.write(piece.join("\n") + "\n", () => resolve()));
  for (const line of lines) {
    piece.push(line);
    if (piece.length === 10_000) {
      await flush();
      piece = [];
    }
  }
  await flush();
  await new Promise<void>((resolve) => out.end(resolve));
}

const LIST_FORMAT: FormatSpec = { type: "list" };
const LIST_MAP: Mapping = { fields: {}, constants: { type: "blocklist", feeder: "bench" } };
const CSV_FORMAT: FormatSpec = { type: "csv", comment: "#", columns: "header" };
const CSV_MAP: Mapping = {
  fields: {
    first_seen_utc: { key: "source time", time: "YYYY-MM-DD HH:mm:ss" },
    dst_ip: "ip",
    dst_port: "port",
    malware: { key: "malware family", lower: true },
    tags: { key: "tags", split: "," },
  },
  constants: { type: "c&c", feeder: "bench" },
};

const sink = { log: pino({ level: "silent" }), count: () => undefined, warn: () => undefined };
const gc = (globalThis as { gc?: () => void }).gc;

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

function memory(): string {
  gc?.();
  const m = process.memoryUsage();
  return `rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}${gc ? " (after GC)" : ""}`;
}

async function time(label: string, n: () => number, fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rate = (n() / ms) * 1000;
  console.log(
    `  ${label.padEnd(48)} ${fmt(rate).padStart(8)} /s   (${n()} in ${ms.toFixed(0)} ms)`,
  );
  return rate;
}

async function bench(title: string, file: string, format: FormatSpec, map: Mapping): Promise<void> {
  console.log(`\n${title}`);
  let n = 0;
  await time(
    "baseline: readline, lines",
    () => n,
    async () => {
      n = 0;
      for await (const _ of createInterface({ input: createReadStream(file), crlfDelay: Infinity }))
        n++;
    },
  );
  const records = () => readRecords(format, decodeText(createReadStream(file)), () => undefined);
  await time(
    "parse: records",
    () => n,
    async () => {
      n = 0;
      for await (const batch of records()) n += batch.length;
    },
  );
  const mapper = compileMapping(map, { feed: "bench", feedUrl: "https://example.com/feed" });
  await time(
    "parse + map: events",
    () => n,
    async () => {
      n = 0;
      for await (const batch of records()) for (const r of batch) if (mapper(r)) n++;
    },
  );
  // The whole path of a poll: parse, map, id without observation time, dedup against the last poll.
  let previous = new IdSet();
  let next = new IdSet();
  let read = 0;
  const marks: string[] = [];
  const poll = async () => {
    n = 0;
    next = new IdSet(previous.size);
    const report = new ReadReport("bench", "line", sink);
    const text = decodeText(createReadStream(file));
    const opts = { format, mapper, report, dropOlderThan: 0, dedup: { previous, next } };
    let mark = 250_000;
    for await (const _ of readEvents(text, { ...opts, count: () => undefined })) {
      n++;
      if (report.records >= mark) {
        marks.push(`after ${fmt(report.records)} lines: ${memory()}`);
        mark = mark === 250_000 ? 1_000_000 : Infinity;
      }
    }
    read = report.records;
  };
  await time("parse + map + id + dedup (first poll): events", () => n, poll);
  for (const m of marks) console.log(`    ${m}`);
  console.log(
    `    id table: ${next.size} ids in ${mb(next.bytes)}; file ${mb(next.toBuffer().length)}`,
  );
  // The same feed polled again without a 304: every record read, mapped, hashed and dropped.
  previous = next;
  marks.length = 0;
  await time("second poll, unchanged feed: records (0 events)", () => read, poll);
  console.log(`    peak: ${memory()} with both id tables (last poll's and this one's)`);
}

const dir = await mkdtemp(join(tmpdir(), "feed-bench-"));
try {
  const listFile = join(dir, "blocklist.txt");
  const csvFile = join(dir, "feed.csv");
  await writeLines(listFile, blocklist(LIST_LINES));
  await writeLines(csvFile, csv(CSV_ROWS));
  console.log(`start: ${memory()}`);
  await bench(
    `Plain list, ${fmt(LIST_LINES)} lines (IPv4, CIDR, IPv6, domains, comments)`,
    listFile,
    LIST_FORMAT,
    LIST_MAP,
  );
  await bench(
    `CSV, ${fmt(CSV_ROWS)} rows (time, ip, port, family, quoted tags)`,
    csvFile,
    CSV_FORMAT,
    CSV_MAP,
  );
  console.log(`\nend: ${memory()}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
