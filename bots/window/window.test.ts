import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Event, type EventJson } from "../../core/index.js";
import { testBot } from "../../core/testing.js";
import { windowBot } from "./window.js";

const SCAN = { ip: "192.0.2.1", type: "scanner" };
const HASH = new Event(SCAN).id();
const tag = (event: Record<string, string>, id: string): EventJson =>
  new Event(event, { id }).toJSON();
/** What the bot emitted from its timer (not as a reply to handle()) since `n`. */
const closes = (bot: { emitted: { event: Event }[] }, n = 0): EventJson[] =>
  bot.emitted.slice(n).map((e) => e.event.toJSON());

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
    now: new Date("2026-03-01T12:00:00Z"),
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("window", () => {
  it("opens on the first sight, suppresses repeats, closes a window after the last", async () => {
    const bot = await testBot(windowBot, { window: "60s" });
    expect(await bot.handle(SCAN)).toEqual([tag(SCAN, `${HASH}:open`)]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await bot.handle(SCAN)).toEqual([]);
    // Sliding (windowbot): the repeat at 30 s keeps the window open until 90 s.
    await vi.advanceTimersByTimeAsync(59_999);
    const n = bot.emitted.length;
    expect(closes(bot, n)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(closes(bot, n)).toEqual([tag(SCAN, `${HASH}:close`)]);
    // `in` and `dropped…` are the runtime's: two events in, the repeat dropped on purpose.
    expect(Object.fromEntries(bot.counters)).toEqual({
      in: 2,
      opened: 1,
      suppressed: 1,
      dropped: 1,
      "dropped: repeat": 1,
      closed: 1,
    });
    // After the close the same event opens a new window.
    expect(await bot.handle(SCAN)).toEqual([tag(SCAN, `${HASH}:open`)]);
    await bot.stop();
  });

  it("keeps a window per distinct event and closes them in order", async () => {
    const bot = await testBot(windowBot, { window: "10s" });
    const other = { ip: "198.51.100.7", type: "scanner" };
    await bot.handle(SCAN);
    await vi.advanceTimersByTimeAsync(4_000);
    await bot.handle(other);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await bot.handle(SCAN)).toEqual([]);
    const n = bot.emitted.length;
    await vi.advanceTimersByTimeAsync(6_000);
    expect(closes(bot, n)).toEqual([tag(other, `${new Event(other).id()}:close`)]);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(closes(bot, n)).toEqual([
      tag(other, `${new Event(other).id()}:close`),
      tag(SCAN, `${HASH}:close`),
    ]);
    await bot.stop();
  });

  it("windows by the given keys and closes with the first event seen", async () => {
    const bot = await testBot(windowBot, { window: "1m", keys: ["ip"] });
    const first = { ip: "192.0.2.1", description: "first" };
    const hash = new Event({ ip: "192.0.2.1" }).id();
    expect(await bot.handle(first)).toEqual([tag(first, `${hash}:open`)]);
    expect(await bot.handle({ ip: "192.0.2.1", description: "second" })).toEqual([]);
    // An event without any of the keys is not windowed.
    expect(await bot.handle({ "domain name": "example.com" })).toEqual([
      { "domain name": ["example.com"] },
    ]);
    const n = bot.emitted.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(closes(bot, n)).toEqual([tag(first, `${hash}:close`)]);
    await bot.stop();
  });

  it("passes events that do not match the rule through unchanged", async () => {
    const bot = await testBot(windowBot, { rule: "type = scanner" });
    const spam = { ip: "192.0.2.1", type: "spam" };
    expect(await bot.handle(spam)).toEqual([new Event(spam).toJSON()]);
    expect(await bot.handle(spam)).toEqual([new Event(spam).toJSON()]);
    expect(await bot.handle(SCAN)).toEqual([tag(SCAN, `${HASH}:open`)]);
    expect(await bot.handle(SCAN)).toEqual([]);
    expect(bot.counters.get("passed")).toBe(2);
    await bot.stop();
  });

  it("still closes windows after a restart on the same state dir", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "window-state-"));
    const first = await testBot(windowBot, { window: "60s" }, { stateDir });
    await first.handle(SCAN);
    await vi.advanceTimersByTimeAsync(20_000);
    await first.stop();
    expect(closes(first).map((e) => e.id)).toEqual([[`${HASH}:open`]]);

    const second = await testBot(windowBot, { window: "60s" }, { stateDir });
    // Still open: a repeat is suppressed and keeps the window open 60 s from now.
    expect(await second.handle(SCAN)).toEqual([]);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(closes(second)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(closes(second)).toEqual([tag(SCAN, `${HASH}:close`)]);
    await second.stop();
    const saved = JSON.parse(await readFile(join(stateDir, "windows.json"), "utf8")) as unknown;
    expect(saved).toEqual({ version: 1, windows: [] });
  });

  it("closes at once the windows that expired while it was down", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "window-state-"));
    const first = await testBot(windowBot, { window: "60s" }, { stateDir });
    await first.handle(SCAN);
    await first.stop();
    vi.setSystemTime(Date.now() + 3_600_000);
    const second = await testBot(windowBot, { window: "60s" }, { stateDir });
    await vi.advanceTimersByTimeAsync(0);
    expect(closes(second)).toEqual([tag(SCAN, `${HASH}:close`)]);
    await second.stop();
  });

  it("saves open windows periodically, not only on stop", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "window-state-"));
    const bot = await testBot(windowBot, { window: "1h", save_interval: "5s" }, { stateDir });
    await bot.handle(SCAN);
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(async () => {
      const text = await readFile(join(stateDir, "windows.json"), "utf8");
      const saved = JSON.parse(text) as { windows: { hash: string; event: EventJson }[] };
      expect(saved.windows.map((w) => [w.hash, w.event])).toEqual([
        [HASH, new Event(SCAN).toJSON()],
      ]);
    });
    await bot.stop();
  });

  it("sets an unreadable state file aside and starts empty", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "window-state-"));
    await writeFile(join(stateDir, "windows.json"), "{ half a fi");
    const bot = await testBot(windowBot, {}, { stateDir });
    expect(bot.warnings).toHaveLength(1);
    expect(bot.warnings[0]).toContain(
      `open windows in ${join(stateDir, "windows.json")} unreadable`,
    );
    expect(await readdir(stateDir)).toContain("windows.json.bad");
    expect(await bot.handle(SCAN)).toEqual([tag(SCAN, `${HASH}:open`)]);
    await bot.stop();
  });

  it("serves 100k open windows with one timer", async () => {
    const bot = await testBot(windowBot, { window: "10m" });
    const before = vi.getTimerCount();
    for (let i = 0; i < 100_000; i++) {
      await bot.handle({ ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` });
    }
    expect(vi.getTimerCount() - before).toBe(1);
    expect(bot.counters.get("opened")).toBe(100_000);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(bot.counters.get("closed")).toBe(100_000);
    await bot.stop();
    // 100k events through the runtime's path take seconds on a busy 2-core machine.
  }, 30_000);

  it("rejects an empty window and a rule that does not parse", async () => {
    await expect(testBot(windowBot, { window: "0s" })).rejects.toThrow(
      /window: must be longer than 0/,
    );
    await expect(testBot(windowBot, { rule: "type = " })).rejects.toThrow(/^bad params: rule: /);
  });
});
