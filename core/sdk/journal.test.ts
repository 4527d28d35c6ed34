import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { Journal, type JournalOptions } from "./journal.js";

// Count fsync calls, to check the policy does what it says.
vi.mock("node:fs", async (original) => {
  const real = await original<typeof import("node:fs")>();
  return { ...real, fsyncSync: vi.fn(real.fsyncSync) };
});
const fsyncs = () => vi.mocked(fs.fsyncSync).mock.calls.length;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "journal-"));
  dirs.push(dir);
  return join(dir, "j");
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => vi.useRealTimers());

function journal(dir: string, opts: Partial<JournalOptions> = {}): Journal<string> {
  return new Journal<string>({ dir, fsync: "on-seal", segmentRecords: 4, ...opts });
}
const files = (dir: string) => readdirSync(dir).sort();
const values = (j: Journal<string>) => j.read().map((r) => r.value);

describe("Journal", () => {
  it("after a crash, reloads exactly the unacknowledged records, in order, with their seqs", () => {
    const dir = tempDir();
    const a = journal(dir);
    a.open();
    const seqs = Array.from({ length: 10 }, (_, i) => a.append(`r${i + 1}`));
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    a.ack([2, 9, 5, 6, 2]); // out of order, across segments, one twice
    expect(a.size).toBe(6);
    // no close(): the process dies here
    const b = journal(dir);
    expect(b.open()).toMatchObject({ records: 6, torn: [], unreadable: [] });
    expect(b.read()).toEqual([1, 3, 4, 7, 8, 10].map((seq) => ({ seq, value: `r${seq}` })));
    expect(b.append("new")).toBe(11);
  });

  it("drops a line torn by a crash mid-append, reports it, and stays appendable", () => {
    const dir = tempDir();
    const a = journal(dir);
    a.open();
    ["a", "b", "c"].forEach((v) => a.append(v));
    const [file] = files(dir);
    appendFileSync(join(dir, file ?? ""), '{"s":4,"v":"hal'); // killed inside write()
    const b = journal(dir);
    expect(b.open()).toMatchObject({ records: 3, torn: [join(dir, file ?? "")] });
    expect(values(b)).toEqual(["a", "b", "c"]);
    b.ack([3]); // goes to the segment that had the torn line
    b.append("d");
    const c = journal(dir);
    expect(c.open()).toMatchObject({ torn: [], unreadable: [] });
    expect(values(c)).toEqual(["a", "b", "d"]);
  });

  it("reports and skips a corrupt line in the middle of a segment", () => {
    const dir = tempDir();
    const a = journal(dir);
    a.open();
    a.append("a");
    const file = join(dir, files(dir)[0] ?? "");
    appendFileSync(file, "garbage\n");
    a.append("b");
    const b = journal(dir);
    expect(b.open().unreadable).toEqual([`${file}:2`]);
    expect(values(b)).toEqual(["a", "b"]);
  });

  it("deletes a segment once all its records are acknowledged, even while older ones owe", () => {
    const dir = tempDir();
    const j = journal(dir, { segmentRecords: 3 });
    j.open();
    for (let i = 1; i <= 9; i++) j.append(`r${i}`);
    expect(files(dir)).toHaveLength(3);
    const [first, , third] = files(dir);
    j.ack([4, 5, 6]);
    expect(files(dir)).toEqual([first, third]);
    j.ack([1, 2, 3]);
    expect(files(dir)).toEqual([third]);
    j.ack([7, 8, 9]);
    j.close();
    expect(files(dir)).toEqual([]);
  });

  it("rewrites a segment that keeps a few records while the rest are acknowledged", () => {
    const dir = tempDir();
    const j = journal(dir, { segmentRecords: 10, compactAfter: 5 });
    j.open();
    for (let i = 1; i <= 11; i++) j.append(`r${i}`);
    j.ack([1, 2, 3, 4, 5, 6, 7, 8, 9]); // r10 is stuck (its room never answers, say)
    const [oldest] = files(dir);
    expect(readFileSync(join(dir, oldest ?? ""), "utf8")).toBe('{"s":10,"v":"r10"}\n');
    const again = journal(dir);
    again.open();
    expect(values(again)).toEqual(["r10", "r11"]);
  });

  it("keeps at most maxMemory values in memory and reads the rest back in order", () => {
    const dir = tempDir();
    const j = journal(dir, { maxMemory: 5 });
    j.open();
    for (let i = 1; i <= 40; i++) {
      j.append(`r${i}`);
      expect(j.inMemory).toBeLessThanOrEqual(5);
    }
    const batch = j.read(7);
    expect(batch.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    j.ack(batch.map((r) => r.seq));
    expect(values(j)).toEqual(Array.from({ length: 33 }, (_, i) => `r${i + 8}`));
    // …and a restart does not load everything back into memory either
    const k = journal(dir, { maxMemory: 5 });
    expect(k.open().records).toBe(33);
    expect(k.inMemory).toBeLessThanOrEqual(5);
    expect(values(k)).toHaveLength(33);
    k.ack(k.read().map((r) => r.seq));
    k.close();
    expect(files(dir)).toEqual([]);
  });

  it('with fsync "always" syncs every append before it returns; "on-seal" only per segment', () => {
    const always = journal(tempDir(), { fsync: "always" });
    always.open();
    let before = fsyncs();
    always.append("a");
    expect(fsyncs()).toBeGreaterThan(before);
    before = fsyncs();
    always.append("b");
    expect(fsyncs()).toBe(before + 1);

    const seal = journal(tempDir(), { fsync: "on-seal", segmentRecords: 3 });
    seal.open();
    seal.append("a"); // creating a segment syncs its directory
    before = fsyncs();
    seal.append("b");
    seal.append("c");
    expect(fsyncs()).toBe(before);
    seal.append("d"); // seals the first segment
    expect(fsyncs()).toBeGreaterThan(before);
  });

  it("with fsync { intervalMs } syncs what was appended on the next tick of the interval", () => {
    vi.useFakeTimers();
    const j = journal(tempDir(), { fsync: { intervalMs: 1000 } });
    j.open();
    j.append("a");
    const before = fsyncs();
    vi.advanceTimersByTime(999);
    expect(fsyncs()).toBe(before);
    vi.advanceTimersByTime(1);
    expect(fsyncs()).toBe(before + 1);
    vi.advanceTimersByTime(5000); // nothing new: nothing to sync
    expect(fsyncs()).toBe(before + 1);
    j.close();
  });

  it("refuses bad options when made and use before open()", () => {
    const dir = tempDir();
    expect(() => journal(dir, { segmentRecords: 0 })).toThrow(/segmentRecords/);
    expect(() => journal(dir, { fsync: { intervalMs: 0 } })).toThrow(/fsync/);
    expect(() => journal(dir, { fsync: "sometimes" as "always" })).toThrow(/fsync/);
    expect(() => journal(dir).append("x")).toThrow(/not open/);
  });
});
