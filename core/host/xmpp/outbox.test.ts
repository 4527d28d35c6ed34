import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { Event } from "../../sdk/event.js";
import { Outbox } from "./outbox.js";

const log = pino({ level: "silent" });
const dirs: string[] = [];
const spool = () => {
  const dir = mkdtempSync(join(tmpdir(), "outbox-"));
  dirs.push(dir);
  return join(dir, "state", "outbox.jsonl");
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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
    appendFileSync(file, '{"s":9,"r":"r@x","e":{"n":[');
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
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(new Outbox({ file, log }).open()).toHaveLength(5);
  });
});
