import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { Event } from "../../sdk/event.js";
import { journalDir, Outbox } from "./outbox.js";

const log = pino({ level: "silent" });
const dirs: string[] = [];
const spool = () => {
  const dir = mkdtempSync(join(tmpdir(), "outbox-"));
  dirs.push(dir);
  return join(dir, "state", "outbox.jsonl");
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
/** Every line of the journal's segment files. */
const journalLines = (file: string) =>
  readdirSync(journalDir(file)).flatMap((f) =>
    readFileSync(join(journalDir(file), f), "utf8")
      .trim()
      .split("\n"),
  );

describe("Outbox", () => {
  it("keeps what was accepted and not acknowledged across a restart", () => {
    const file = spool();
    const a = new Outbox({ file, log });
    a.open();
    const seqs = ["1", "2", "3"].map(
      (n) =>
        a.add(
          "raw@rooms.localhost",
          new Event([
            ["n", n],
            ["__proto__", "x"],
          ]),
        ).seq,
    );
    a.ack([seqs[0] ?? 0]);
    // no close(): a crash
    const b = new Outbox({ file, log });
    const owed = b.open();
    expect(owed.map((e) => e.event.value("n"))).toEqual(["2", "3"]);
    expect(owed[0]?.event.value("__proto__")).toBe("x");
    expect(b.add("raw@rooms.localhost", new Event({ n: "4" })).seq).toBeGreaterThan(seqs[2] ?? 0);
  });

  it("ignores a torn last line", () => {
    const file = spool();
    const a = new Outbox({ file, log });
    a.open();
    a.add("r@x", new Event({ n: "1" }));
    const [segment] = readdirSync(journalDir(file));
    appendFileSync(join(journalDir(file), segment ?? ""), '{"s":2,"v":{"r":"r@x","e":{"n":[');
    expect(new Outbox({ file, log }).open().map((e) => e.seq)).toEqual([1]);
  });

  it("compacts the spool to the live entries", () => {
    const file = spool();
    const box = new Outbox({ file, log, compactAfter: 10 });
    box.open();
    const seqs = Array.from(
      { length: 30 },
      (_, i) => box.add("r@x", new Event({ n: String(i) })).seq,
    );
    box.ack(seqs.slice(0, 25));
    expect(journalLines(file)).toHaveLength(5);
    expect(new Outbox({ file, log }).open()).toHaveLength(5);
  });

  it("takes over the single-file spool of earlier versions without losing an event", () => {
    const file = spool();
    mkdirSync(join(file, ".."), { recursive: true });
    // As the old outbox left it when killed: #1 and #3 reflected, #2 and #4 owed, a torn line.
    writeFileSync(
      file,
      [
        '{"s":1,"r":"raw@rooms.localhost","e":{"ip":["192.0.2.1"]}}',
        '{"s":2,"r":"raw@rooms.localhost","e":{"ip":["192.0.2.2"],"n":["a","b"]}}',
        '{"s":3,"r":"cases@rooms.localhost","e":{"ip":["192.0.2.3"]}}',
        '{"a":[1,3]}',
        '{"s":4,"r":"cases@rooms.localhost","e":{"ip":["192.0.2.4"]}}',
        '{"s":5,"r":"raw@rooms.lo',
      ].join("\n"),
    );
    const owed = (box: Outbox) =>
      box.open().map((e) => [e.room, e.event.value("ip"), [...e.event.values("n")].sort()]);
    const expected = [
      ["raw@rooms.localhost", "192.0.2.2", ["a", "b"]],
      ["cases@rooms.localhost", "192.0.2.4", []],
    ];
    const first = new Outbox({ file, log });
    expect(owed(first)).toEqual(expected);
    expect(existsSync(file)).toBe(false);
    // no close(): the upgraded process dies too; the events are in the journal now
    expect(owed(new Outbox({ file, log }))).toEqual(expected);
  });
});
