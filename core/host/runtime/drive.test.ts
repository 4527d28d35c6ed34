import { describe, expect, it } from "vitest";
import { defineBot, drop, to } from "../../sdk/bot.js";
import { param } from "../../sdk/params.js";
import { testBot } from "../../testing.js";
import { EventTooLargeError } from "../wire/packer.js";
import { Counters } from "./counters.js";
import { Event } from "../../sdk/event.js";
import { DeadLetters, readLetters } from "./dead-letters.js";
import { drive, inOrder, nextPollDelay, type Incoming } from "./drive.js";
import { RetryLater } from "../../sdk/bot.js";
import { AsyncQueue } from "./queue.js";

describe("nextPollDelay", () => {
  it("keeps the interval after one failure, then doubles up to six hours", () => {
    const m = 60_000;
    expect([0, 1, 2, 3, 4].map((f) => nextPollDelay(m, f))).toEqual([m, m, 2 * m, 4 * m, 8 * m]);
    expect(nextPollDelay(m, 30)).toBe(6 * 3_600_000);
  });
});

const picky = defineBot({
  name: "picky",
  kind: "handler",
  description: "Fails on events without an ip, drops scanners.",
  params: { tag: param.string({ help: "tag", default: "ok" }) },
  start: () => ({
    handle(event) {
      if (!event.contains("ip")) throw new Error("no ip");
      if (event.contains("type", "scanner")) return drop("scanner");
      if (event.contains("type", "routed")) return to("elsewhere", event);
      return event.union({ tag: "ok" });
    },
  }),
});

describe("drive", () => {
  it("keeps handling events after one fails, putting that one in the dead letters", async () => {
    const bot = await testBot(picky);
    const inputs = new AsyncQueue<Incoming>();
    const counters = new Counters();
    const done: string[] = [];
    for (const init of [{ ip: "192.0.2.1" }, { type: "x" }, { ip: "192.0.2.2" }]) {
      inputs.push({ event: new Event(init), meta: { room: "in@rooms.test" } });
    }
    inputs.close();
    const dead = new DeadLetters(bot.ctx.stateDir);
    const published: Event[] = [];
    await drive(picky, bot.running, bot.ctx, {
      inputs,
      counters,
      dead,
      publish: (e) => {
        published.push(e);
        return Promise.resolve();
      },
      done: (item) => void done.push(item.event.value("ip") ?? "-"),
    });
    expect(published.map((e) => e.value("ip"))).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(counters.get("errors")).toBe(1);
    expect(counters.get("in", "in@rooms.test")).toBe(3);
    // Every input is done, the failed one too: its copy is in the dead letters.
    expect(done).toEqual(["192.0.2.1", "-", "192.0.2.2"]);
    const letters = readLetters(dead.file);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ stage: "handle", reason: "no ip", room: "in@rooms.test" });
    expect(letters[0]).toHaveProperty("event", { type: ["x"] });
    expect(bot.warnings[0]).toMatch(/handle failed for event [0-9a-f]{12}: no ip/);
  });

  it("counts an explicit drop and sends a routed event to its room", async () => {
    const bot = await testBot(picky);
    expect(await bot.handle({ ip: "192.0.2.1", type: "scanner" })).toEqual([]);
    expect(bot.counters.get("dropped: scanner")).toBe(1);
    await bot.handle({ ip: "192.0.2.1", type: "routed" });
    expect(bot.emitted.at(-1)?.room).toBe("elsewhere");
    expect(bot.deadLetters()).toEqual([]);
  });

  it("puts an event in the dead letters when a handler returns nothing (a JS bot)", async () => {
    const forgetful = defineBot({
      name: "forgetful",
      kind: "handler",
      description: "Forgets to return.",
      params: {},
      start: () => ({ handle: (() => undefined) as never }),
    });
    const bot = await testBot(forgetful);
    expect(await bot.handle({ ip: "192.0.2.1" })).toEqual([]);
    expect(bot.deadLetters()[0]?.reason).toMatch(/returned nothing/);
  });

  it("sets aside an event too large to publish and goes on with the next", async () => {
    const source = defineBot({
      name: "big-source",
      kind: "source",
      description: "One huge event among small ones.",
      params: {},
      interval: () => 1000,
      start: () => ({
        poll: () => [
          { ip: "192.0.2.1" },
          { ip: "192.0.2.2", blob: "x".repeat(100) },
          { ip: "192.0.2.3" },
        ],
      }),
    });
    const bot = await testBot(
      source,
      {},
      {
        refuse: (e) => {
          if (e.contains("blob")) throw new EventTooLargeError(e, 70_000, 65_536);
        },
      },
    );
    expect((await bot.poll()).map((e) => e.ip)).toEqual([["192.0.2.1"], ["192.0.2.3"]]);
    expect(bot.deadLetters()).toMatchObject([{ stage: "make", event: { ip: ["192.0.2.2"] } }]);
  });

  it("validates typed values where events are made: dead letter, or the value dropped", async () => {
    const source = defineBot({
      name: "typed-source",
      kind: "source",
      description: "Bad values.",
      params: {},
      interval: () => 1000,
      start: () => ({
        poll: () => [
          { ip: "192.0.2.1", port: "80" },
          { ip: "not-an-ip", port: "70000" },
        ],
      }),
    });
    const strict = await testBot(source);
    expect(await strict.poll()).toEqual([{ ip: ["192.0.2.1"], port: ["80"] }]);
    expect(strict.deadLetters()[0]?.reason).toBe(
      'bad values: ip "not-an-ip": not an IP address; port "70000": not a port number',
    );
    expect(strict.counters.get("bad ip")).toBe(1);
    const lenient = await testBot(source, {}, { invalid: "drop-value" });
    expect(await lenient.poll()).toEqual([{ ip: ["192.0.2.1"], port: ["80"] }, {}]);
    expect(lenient.counters.get("bad values")).toBe(2);
  });

  it("tries an event again after RetryLater, without moving on", async () => {
    let calls = 0;
    const flaky = defineBot({
      name: "flaky",
      kind: "handler",
      description: "Down once.",
      params: {},
      start: () => ({
        handle(event) {
          calls++;
          if (calls === 1) throw new RetryLater("lookup service down");
          return event;
        },
      }),
    });
    const bot = await testBot(flaky);
    expect(await bot.handle({ ip: "192.0.2.1" })).toEqual([{ ip: ["192.0.2.1"] }]);
    expect(calls).toBe(2);
    expect(bot.deadLetters()).toEqual([]);
  }, 10_000);
});

describe("inOrder", () => {
  it("runs up to n at once and finishes them in input order", async () => {
    async function* items() {
      for (let i = 0; i < 20; i++) yield await Promise.resolve(i);
    }
    let live = 0;
    let most = 0;
    const finished: number[] = [];
    await inOrder(items(), 4, new AbortController().signal, {
      run: async (i) => {
        live++;
        most = Math.max(most, live);
        await new Promise((r) => setTimeout(r, (20 - i) % 7));
        live--;
        return i * 10;
      },
      finish: (i, r) => {
        finished.push(r);
        return Promise.resolve();
      },
    });
    expect(finished).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(most).toBe(4);
  });
});
