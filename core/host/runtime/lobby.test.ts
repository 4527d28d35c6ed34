import { describe, expect, it } from "vitest";
import { Counters } from "./counters.js";
import { CommandDesk, parseCommand, WarnLimiter } from "./lobby.js";

function desk() {
  const counters = new Counters();
  counters.inc("in", 5, "raw@rooms.test");
  counters.inc("out", 4, "enriched@rooms.test");
  const d = new CommandDesk(new Set(["admin@example.org"]), {
    id: "tagger",
    bot: "add-tag",
    state: () => "running",
    counters,
    queueDepth: () => 3,
    startedAt: Date.now() - 90_000,
    roomExtras: () => ({ "raw@rooms.test": { malformed: 2 } }),
  });
  return d;
}

describe("lobby commands", () => {
  it("parses !commands and ignores chatter", () => {
    expect(parseCommand("!status tagger")).toEqual({ name: "status", args: "tagger" });
    expect(parseCommand("  !PING ")).toEqual({ name: "ping", args: "" });
    expect(parseCommand("status please")).toBeUndefined();
  });

  it("gives admins counters per room, queue depth and uptime", async () => {
    const reply = await desk().answer({ jid: "Admin@example.org/laptop", body: "!status" });
    expect(reply).toMatch(/^tagger \(add-tag\) running, up 1m3\ds, queue 3/);
    expect(reply).toContain("total: in 5, out 4, errors 0, malformed 2");
    expect(reply).toContain("raw@rooms.test: in 5, out 0, errors 0, malformed 2");
  });

  it("refuses control commands to others, saying why", async () => {
    const reply = await desk().answer({ jid: "mallory@example.net/x", body: "!status" });
    expect(reply).toMatch(/refused: !status is for admins only \(mallory@example.net is not/);
    const hidden = await desk().answer({ jid: undefined, body: "!ping" });
    expect(hidden).toMatch(/your JID is hidden by the room/);
  });

  it("answers !help to anyone and names unknown commands", async () => {
    expect(await desk().answer({ jid: undefined, body: "!help" })).toMatch(/!status\s+counters/);
    expect(await desk().answer({ jid: "admin@example.org", body: "!frobnicate" })).toMatch(
      /unknown command !frobnicate; try !help/,
    );
    expect(await desk().answer({ jid: "admin@example.org", body: "hello" })).toBeUndefined();
  });
});

describe("WarnLimiter", () => {
  it("lets a few warnings through per minute, then says how many it held back", () => {
    const w = new WarnLimiter(2);
    const t = 1_000_000;
    expect(w.admit("a", t)).toBe("a");
    expect(w.admit("b", t + 1)).toBe("b");
    expect(w.admit("c", t + 2)).toBeUndefined();
    expect(w.admit("d", t + 3)).toBeUndefined();
    expect(w.admit("e", t + 61_000)).toBe("e (2 earlier warnings held back)");
  });
});
