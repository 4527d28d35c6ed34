import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testBot } from "../../core/testing.js";
import { archive } from "./archive.js";
import { ArchiveWriter } from "./writer.js";

const ROOM = "raw@rooms.test";
const dirOf = (base: string) => join(base, ROOM);
const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as unknown);

async function tmp() {
  return mkdtemp(join(tmpdir(), "archive-"));
}

describe("ArchiveWriter", () => {
  it("appends JSON lines by room and UTC day of arrival", async () => {
    const dir = await tmp();
    let now = new Date("2026-11-07T23:59:59Z");
    const w = new ArchiveWriter({ dir, compress: false, now: () => now });
    w.append(ROOM, { ip: ["192.0.2.1"] });
    w.append("other@rooms.test", { ip: ["192.0.2.9"] });
    await w.flush();
    w.append(ROOM, { ip: ["192.0.2.2"] });
    await w.flush();
    now = new Date("2026-11-08T00:00:01Z");
    w.append(ROOM, { ip: ["192.0.2.3"] });
    await w.close();
    expect(lines(await readFile(join(dirOf(dir), "2026/11/07.jsonl"), "utf8"))).toEqual([
      { ip: ["192.0.2.1"] },
      { ip: ["192.0.2.2"] },
    ]);
    expect(lines(await readFile(join(dirOf(dir), "2026/11/08.jsonl"), "utf8"))).toEqual([
      { ip: ["192.0.2.3"] },
    ]);
    expect(await readdir(join(dir, "other@rooms.test/2026/11"))).toEqual(["07.jsonl"]);
  });

  it("gzips a day when it rolls over, also with no new events (tick)", async () => {
    const dir = await tmp();
    let now = new Date("2026-11-07T12:00:00Z");
    const w = new ArchiveWriter({ dir, compress: true, now: () => now });
    w.append(ROOM, { a: ["1"] });
    await w.flush();
    now = new Date("2026-11-08T00:00:00Z");
    await w.tick();
    const month = join(dirOf(dir), "2026/11");
    expect(await readdir(month)).toEqual(["07.jsonl.gz"]);
    expect(lines(gunzipSync(await readFile(join(month, "07.jsonl.gz"))).toString())).toEqual([
      { a: ["1"] },
    ]);
    await w.close();
  });

  it("compresses older days left uncompressed at start, appending to an existing .gz", async () => {
    const dir = await tmp();
    const month = join(dirOf(dir), "2026/11");
    await mkdir(month, { recursive: true });
    await writeFile(join(month, "05.jsonl"), '{"a":["old"]}\n');
    const first = new ArchiveWriter({
      dir,
      compress: true,
      now: () => new Date("2026-11-07T00:00:00Z"),
    });
    expect(await first.compressOld()).toHaveLength(1);
    // A crash left more lines of the same day after its .gz was made.
    await writeFile(join(month, "05.jsonl"), '{"a":["late"]}\n');
    await writeFile(join(month, "07.jsonl"), '{"a":["today"]}\n');
    await first.compressOld();
    expect((await readdir(month)).sort()).toEqual(["05.jsonl.gz", "07.jsonl"]);
    expect(lines(gunzipSync(await readFile(join(month, "05.jsonl.gz"))).toString())).toEqual([
      { a: ["old"] },
      { a: ["late"] },
    ]);
  });

  it("keeps the lines of a failed write for the next flush", async () => {
    const dir = await tmp();
    await writeFile(join(dir, "blocker"), "");
    const w = new ArchiveWriter({ dir: join(dir, "blocker"), compress: false });
    w.append(ROOM, { a: ["1"] });
    await expect(w.flush()).rejects.toThrow();
    expect(w.pending).toBe(1);
  });
});

describe("archive bot", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("archives consumed events on its flush timer and on stop", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    vi.setSystemTime(new Date("2026-11-07T10:00:00Z"));
    const state = await tmp();
    const bot = await testBot(archive, { flush_interval: "1s" }, { stateDir: state });
    // An event counts as handled (the checkpoint may pass it) only once its line is on disk.
    let handled = false;
    const first = bot.handle({ ip: "192.0.2.1" }, { room: ROOM }).then(() => (handled = true));
    const file = join(state, "archive", ROOM, "2026/11/07.jsonl");
    await expect(readFile(file, "utf8")).rejects.toThrow();
    expect(handled).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await first;
    expect(lines(await readFile(file, "utf8"))).toHaveLength(1);
    const second = bot.handle({ ip: "192.0.2.2" }, { room: ROOM });
    await bot.stop();
    await second;
    expect(lines(await readFile(file, "utf8"))).toEqual([
      { ip: ["192.0.2.1"] },
      { ip: ["192.0.2.2"] },
    ]);
    expect(bot.counters.get("archived")).toBe(2);
  });

  it("writes a full batch before taking the next event", async () => {
    const state = await tmp();
    const bot = await testBot(
      archive,
      { batch: 2, flush_interval: "1h", compress: false },
      { stateDir: state },
    );
    // The runtime hands a sink up to `batch` events at once; the full batch is written at once.
    await Promise.all([
      bot.handle({ n: "1" }, { room: ROOM }),
      bot.handle({ n: "2" }, { room: ROOM }),
    ]);
    const [day] = await readdir(join(state, "archive", ROOM));
    expect(day).toMatch(/^\d{4}$/);
    await bot.stop();
  });

  it("keeps an event whose batch write failed for the next flush, not in the dead letters", async () => {
    const state = await tmp();
    await writeFile(join(state, "blocker"), "");
    const dir = join(state, "blocker", "archive");
    const bot = await testBot(
      archive,
      { dir, batch: 1, flush_interval: "1h" },
      { stateDir: state },
    );
    let handled = false;
    const waiting = bot.handle({ n: "1" }, { room: ROOM }).then(() => (handled = true));
    await vi.waitFor(() => expect(bot.warnings.some((w) => w.startsWith("archive: "))).toBe(true));
    // Still waiting for a write that works: not handled, not in the dead letters.
    expect(handled).toBe(false);
    expect(bot.deadLetters()).toEqual([]);
    expect(bot.counters.get("archived")).toBe(1);
    await bot.stop().catch(() => undefined); // its last flush fails as well
    await waiting;
  });
});
