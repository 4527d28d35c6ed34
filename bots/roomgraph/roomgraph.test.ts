import { describe, expect, it } from "vitest";
import type { Route } from "../../core/index.js";
import { parseRule } from "../../core/sdk/rules/index.js";
import { testBot } from "../../core/testing.js";
import { roomgraph } from "./roomgraph.js";

const route = (from: string, to: string, rule?: string): Route => ({
  from,
  to,
  where: "test",
  ...(rule ? { ruleText: rule, rule: parseRule(rule) } : {}),
});

describe("roomgraph", () => {
  const routes = [
    route("raw", "all"),
    route("raw", "scanners", "type = scanner"),
    route("raw", "fi", "cc = FI"),
    route("raw", "all", "cc = FI"), // a second route to the same room sends the event once
    route("other", "elsewhere"),
  ];

  it("sends an event to every room whose route matches, once per room", async () => {
    const bot = await testBot(roomgraph, {}, { routes });
    await bot.handle({ ip: "192.0.2.1", type: "scanner", cc: "FI" }, { room: "raw@rooms.test" });
    expect(bot.emitted.map((e) => e.room).sort()).toEqual([
      "all@rooms.test",
      "fi@rooms.test",
      "scanners@rooms.test",
    ]);
  });

  it("routes only from the room the event came from", async () => {
    const bot = await testBot(roomgraph, {}, { routes });
    await bot.handle({ type: "scanner" }, { room: "other@rooms.test" });
    expect(bot.emitted.map((e) => e.room)).toEqual(["elsewhere@rooms.test"]);
  });

  it("counts per route", async () => {
    const bot = await testBot(roomgraph, {}, { routes });
    await bot.handle({ type: "spam" }, { room: "raw@rooms.test" });
    await bot.handle({ type: "scanner" }, { room: "raw@rooms.test" });
    expect(bot.counters.get("route raw -> all")).toBe(2);
    expect(bot.counters.get("route raw -> scanners [type = scanner]")).toBe(1);
  });
});
