import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testBot } from "../../core/testing.js";
import { sampleFeed } from "./sample-feed.js";

describe("sample-feed", () => {
  it("replays the bundled sample, tagging each event with the feed and time seen", async () => {
    const bot = await testBot(sampleFeed, {});
    const events = await bot.poll();
    expect(events.length).toBe(8);
    expect(events.every((e) => e.feed?.[0] === "sample")).toBe(true);
    expect(events[0]?.["observation time"]?.[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it("skips and counts a bad line, naming the file and line, and keeps the others", async () => {
    const bot = await testBot(sampleFeed, {});
    const file = join(bot.ctx.stateDir, "events.jsonl");
    await writeFile(file, '{"ip": "192.0.2.1"}\n{"ip": 7}\n{"ip": "192.0.2.2"}\n');
    const again = await testBot(sampleFeed, { file, feed: "t" }, { stateDir: bot.ctx.stateDir });
    expect((await again.poll()).map((e) => e.ip)).toEqual([["192.0.2.1"], ["192.0.2.2"]]);
    expect(again.counters.get("errors")).toBe(1);
  });
});
