import { describe, expect, it } from "vitest";
import { defineBot } from "../bot.js";
import { param } from "../params.js";
import { testBot } from "../testing.js";
import { Counters } from "./counters.js";
import { Event } from "../event.js";
import { drive, nextPollDelay, type Incoming } from "./drive.js";
import { AsyncQueue } from "./queue.js";

describe("nextPollDelay", () => {
  it("keeps the interval after one failure, then doubles up to six hours", () => {
    const m = 60_000;
    expect([0, 1, 2, 3, 4].map((f) => nextPollDelay(m, f))).toEqual([m, m, 2 * m, 4 * m, 8 * m]);
    expect(nextPollDelay(m, 30)).toBe(6 * 3_600_000);
  });
});

describe("drive", () => {
  it("keeps handling events after one fails, counting and reporting the failure", async () => {
    const picky = defineBot({
      name: "picky",
      kind: "handler",
      description: "Fails on events without an ip.",
      params: { tag: param.string({ help: "tag", default: "ok" }) },
      handle(event) {
        if (!event.contains("ip")) throw new Error("no ip");
        return event.union({ tag: "ok" });
      },
    });
    const bot = await testBot(picky);
    const inputs = new AsyncQueue<Incoming>();
    const counters = new Counters();
    for (const init of [{ ip: "192.0.2.1" }, { type: "x" }, { ip: "192.0.2.2" }]) {
      inputs.push({ event: new Event(init), meta: { room: "in@rooms.test" } });
    }
    inputs.close();
    await drive(picky, bot.ctx, { inputs, counters });
    expect(bot.emitted.map((e) => e.event.value("ip"))).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(counters.get("errors")).toBe(1);
    expect(counters.get("in", "in@rooms.test")).toBe(3);
    expect(bot.warnings[0]).toMatch(/failed on an event from in@rooms.test: no ip/);
  });
});
