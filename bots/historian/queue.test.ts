import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WriteQueue } from "./queue.js";

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

function makeQueue(dir: string, stored: number[], up: { ok: boolean }) {
  return new WriteQueue<number>({
    dir,
    batchSize: 4,
    lingerMs: 20,
    maxMemory: 3,
    segmentSize: 5,
    retry: { minMs: 10, maxMs: 20 },
    write(batch) {
      if (!up.ok) return Promise.reject(new Error("down"));
      stored.push(...batch);
      return Promise.resolve();
    },
  });
}

describe("write queue", () => {
  it("writes in batches and leaves no journal behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hq-"));
    const stored: number[] = [];
    const q = makeQueue(dir, stored, { ok: true });
    await q.start();
    for (let i = 0; i < 10; i++) await q.push(i);
    await until(() => stored.length === 10);
    expect(stored).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await q.stop();
    expect(await readdir(dir)).toEqual([]);
  });

  it("while the store is down, spills beyond the memory limit to disk and loses nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hq-"));
    const stored: number[] = [];
    const up = { ok: false };
    const q = makeQueue(dir, stored, up);
    await q.start();
    for (let i = 0; i < 23; i++) await q.push(i);
    expect(q.pending).toBe(23);
    expect((await readdir(dir)).length).toBeGreaterThan(1);
    up.ok = true;
    await until(() => stored.length === 23);
    expect([...stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    await q.stop();
    expect(await readdir(dir)).toEqual([]);
  });

  it("a new queue on the same dir writes what a killed one left in its journal", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hq-"));
    const first = makeQueue(dir, [], { ok: false });
    await first.start();
    for (let i = 0; i < 7; i++) await first.push(i);
    await first.stop(0); // as if killed: nothing was written
    const stored: number[] = [];
    const second = makeQueue(dir, stored, { ok: true });
    await second.start();
    await until(() => stored.length === 7);
    expect([...stored].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await second.stop();
  });

  it("after a restart writes only what was not stored yet", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hq-"));
    const stored: number[] = [];
    const up = { ok: true };
    const first = makeQueue(dir, stored, up);
    await first.start();
    for (let i = 0; i < 4; i++) await first.push(i); // a full batch: written at once
    await until(() => stored.length === 4);
    up.ok = false;
    for (let i = 4; i < 7; i++) await first.push(i);
    await first.stop(0); // killed while CouchDB is away
    const again: number[] = [];
    const second = makeQueue(dir, again, { ok: true });
    expect((await second.start()).records).toBe(3);
    await until(() => again.length === 3);
    expect(again).toEqual([4, 5, 6]);
    await second.stop();
  });

  it("writes what the segment files of earlier versions hold, then deletes them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hq-"));
    // As an earlier version left them when killed: one document a line, the last line torn.
    await writeFile(join(dir, "segment-00000009.jsonl"), "0\n1\n2\n3\n4\n");
    await writeFile(join(dir, "segment-00000010.jsonl"), "5\n6\n7");
    await writeFile(join(dir, "segment-00000011.jsonl"), '8\n{"_id":"ev');
    const stored: number[] = [];
    const q = makeQueue(dir, stored, { ok: true });
    expect(await q.start()).toMatchObject({ migrated: 9 });
    expect((await readdir(dir)).filter((f) => f.startsWith("segment-"))).toEqual([]);
    await until(() => stored.length === 9);
    expect(stored).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    await q.stop();
    expect(await readdir(dir)).toEqual([]);
  });
});
