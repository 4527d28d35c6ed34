// The demo's offline source: the `sample` instance of config/demo.yaml, run as configured,
// reads the bundled sample into events (the engine's own tests are in bots/feed/).
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Event } from "../../core/index.js";
import { testBot } from "../../core/testing.js";
import { fileFeed } from "./file-feed.js";

const DOC_ADDRESS = /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:)/;

async function demoParams(): Promise<Record<string, unknown>> {
  const text = await readFile(new URL("../../config/demo.yaml", import.meta.url), "utf8");
  const config = parse(text) as { bots: { id: string; bot: string; params: object }[] };
  const sample = config.bots.find((b) => b.id === "sample");
  expect(sample?.bot).toBe("file-feed");
  return { ...sample?.params };
}

describe("file-feed in the demo", () => {
  it("replays the bundled sample: 30 events on documentation addresses, none skipped", async () => {
    const params = await demoParams();
    expect(params["replay_interval"]).toBeDefined();
    // A short interval here: the 31st event is the first one of the second replay.
    const bot = await testBot(fileFeed, { ...params, replay_interval: "50ms" });
    const events: Event[] = [];
    for await (const init of bot.running.stream?.() ?? []) {
      events.push(new Event(init));
      if (events.length === 31) break;
    }
    await bot.stop();
    const replayed = events.pop();
    expect(replayed?.value("ip")).toBe(events[0]?.value("ip"));
    expect(bot.warnings).toEqual([]);
    expect(bot.counters.get("skipped lines")).toBeUndefined();
    expect(events.map((e) => e.value("ip")).filter((ip) => !DOC_ADDRESS.test(ip ?? ""))).toEqual(
      [],
    );
    const types = new Set(events.map((e) => e.value("type")));
    // What the demo's roomgraph routes to alerts and scanners (rooms.yaml).
    for (const t of ["phishing", "c&c", "scanner"]) expect(types).toContain(t);
    expect(events[0]?.toJSON()).toMatchObject({
      "source time": ["2024-03-14 10:00:00Z"],
      ip: ["192.0.2.10"],
      port: ["22"],
      feed: ["demo-sample"],
      feeder: ["example.org"],
    });
  });
});
