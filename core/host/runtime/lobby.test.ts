import { describe, expect, it } from "vitest";
import { Counters } from "./counters.js";
import {
  CommandDesk,
  parseAddressed,
  parseCommand,
  WarnLimiter,
  type StatusSource,
} from "./lobby.js";

function source(): StatusSource {
  const counters = new Counters();
  counters.inc("in", 5, "raw@rooms.test");
  counters.inc("out", 4, "enriched@rooms.test");
  return {
    id: "tagger",
    bot: "add-tag",
    state: () => "running",
    counters,
    queueDepth: () => 3,
    startedAt: Date.now() - 90_000,
    roomExtras: () => ({ "raw@rooms.test": { malformed: 2 } }),
  };
}

const desk = () => new CommandDesk(new Set(["admin@example.org"]), source());

const ADMIN = "admin@example.org/laptop";

describe("lobby commands", () => {
  it("parses !commands and ignores chatter", () => {
    expect(parseCommand("!status tagger")).toEqual({ name: "status", args: "tagger" });
    expect(parseCommand("  !PING ")).toEqual({ name: "ping", args: "" });
    expect(parseCommand("status please")).toBeUndefined();
    // A bot's own error reply is no command (else two historians would answer each other).
    expect(parseCommand("!ip: expected an address")).toBeUndefined();
  });

  it("reads whom a command is for: a nick prefix, or instance ids after a built-in", () => {
    expect(parseAddressed("historian: !ip 192.0.2.1")).toEqual({
      name: "ip",
      args: "192.0.2.1",
      to: ["historian"],
    });
    expect(parseAddressed("Tagger, !help")).toMatchObject({ name: "help", to: ["tagger"] });
    expect(parseAddressed("!status historian tagger")).toEqual({
      name: "status",
      args: "",
      to: ["historian", "tagger"],
    });
    expect(parseAddressed("!ip 192.0.2.1")).toEqual({ name: "ip", args: "192.0.2.1", to: [] });
    expect(parseAddressed("see: this")).toBeUndefined();
  });

  it("gives admins counters per room, queue depth and uptime when asked by name", async () => {
    for (const body of ["!status tagger", "tagger: !status"]) {
      const reply = await desk().answer({ jid: ADMIN, body, room: "lobby@rooms.test" });
      expect(reply).toMatch(/^tagger \(add-tag\) running, up 1m3\ds, queue 3/);
      expect(reply).toContain("total: in 5, out 4, errors 0, malformed 2");
      expect(reply).toContain("raw@rooms.test: in 5, out 0, errors 0, malformed 2");
    }
    // A direct message is for this bot: the full report too.
    expect(await desk().answer({ jid: ADMIN, body: "!status" })).toContain("total: in 5");
  });

  it("answers !status for every bot in one line each", async () => {
    const reply = await desk().answer({ jid: ADMIN, body: "!status", room: "lobby@rooms.test" });
    expect(reply).toMatch(
      /^tagger: running, up 1m3\ds, in 5, out 4, queue 3, errors 0, malformed 2$/,
    );
    const busy = new Counters();
    busy.inc("in", 1204);
    const d = new CommandDesk(new Set(["admin@example.org"]), {
      ...source(),
      counters: busy,
    });
    expect(await d.answer({ jid: ADMIN, body: "!status", room: "lobby@rooms.test" })).toContain(
      "in 1,204, out 0",
    );
  });

  it("stays silent on commands for another bot or unknown to this one, in rooms", async () => {
    const room = "lobby@rooms.test";
    for (const body of ["historian: !status", "!status historian", "!ip 192.0.2.1", "!frob"]) {
      expect(await desk().answer({ jid: ADMIN, body, room })).toBeUndefined();
    }
    // Named, it says so: only this bot answers.
    expect(await desk().answer({ jid: ADMIN, body: "tagger: !frob", room })).toMatch(
      /^tagger: unknown command !frob; try tagger: !help$/,
    );
    // Its nick in that room addresses it too (suffixed after a conflict).
    expect(
      await desk().answer({ jid: ADMIN, body: "tagger_2: !ping", room, names: ["tagger_2"] }),
    ).toBe("tagger: pong");
    // In a direct message an unknown command gets an answer.
    expect(await desk().answer({ jid: ADMIN, body: "!frob" })).toMatch(/unknown command !frob/);
  });

  it("answers a bot's own command unaddressed only in the bot that has it", async () => {
    const d = desk();
    d.add("ip", { help: "look up", own: true, public: true, run: (args) => `seen ${args}` });
    const room = "lobby@rooms.test";
    expect(await d.answer({ jid: ADMIN, body: "!ip 192.0.2.1", room })).toBe("seen 192.0.2.1");
    expect(await d.answer({ jid: ADMIN, body: "other: !ip 192.0.2.1", room })).toBeUndefined();
    // Input rooms: only the bot's own commands.
    expect(await d.answer({ jid: ADMIN, body: "!ping", room, ownOnly: true })).toBeUndefined();
    expect(await d.answer({ jid: ADMIN, body: "!ip x", room, ownOnly: true })).toBe("seen x");
  });

  it("refuses control commands to others, saying why", async () => {
    const reply = await desk().answer({ jid: "mallory@example.net/x", body: "!status" });
    expect(reply).toMatch(/refused: !status is for admins only \(mallory@example.net is not/);
    const hidden = await desk().answer({ jid: undefined, body: "!ping" });
    expect(hidden).toMatch(/your JID is hidden by the room/);
  });

  it("answers !help in one line for all, in full when named", async () => {
    const d = desk();
    d.add("ip", { help: "look up", own: true, public: true, run: () => "" });
    const room = "lobby@rooms.test";
    const short = await d.answer({ jid: undefined, body: "!help", room });
    expect(short).toBe('tagger (add-tag): !help !ping !status; !ip — "tagger: !help" for more');
    const full = await d.answer({ jid: undefined, body: "tagger: !help", room });
    expect(full).toMatch(/!status\s+counters/);
    expect(full).toMatch(/!ip\s+look up/);
    expect(await d.answer({ jid: undefined, body: "!help" })).toMatch(/!status\s+counters/);
    expect(await d.answer({ jid: ADMIN, body: "hello" })).toBeUndefined();
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
