import { appendFile, mkdtemp, rename, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { followFile, type LineBlock } from "./follow.js";

function follow(path: string, start?: Parameters<typeof followFile>[1]) {
  const abort = new AbortController();
  const blocks: LineBlock[] = [];
  const resets: string[] = [];
  const done = (async () => {
    for await (const b of followFile(path, start, {
      signal: abort.signal,
      pollMs: 20,
      onReset: (w) => resets.push(w),
    }))
      blocks.push(b);
  })();
  const until = async (n: number) => {
    for (
      const end = Date.now() + 5000;
      blocks.length < n;
      await new Promise((r) => setTimeout(r, 10))
    ) {
      if (Date.now() > end) throw new Error(`waited for ${n} blocks, got ${blocks.length}`);
    }
  };
  return { blocks, resets, until, stop: async () => (abort.abort(), await done) };
}

describe("followFile", () => {
  it("hands on whole lines with their numbers, and starts over after a truncation", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "tail-")), "x.log");
    await writeFile(file, "a\nb\npart");
    const f = follow(file);
    await f.until(1);
    await appendFile(file, "ial\n");
    await f.until(2);
    await truncate(file, 0);
    await appendFile(file, "new\n");
    await f.until(3);
    await f.stop();
    expect(f.blocks.map((b) => [b.text, b.firstLine, b.fresh])).toEqual([
      ["a\nb\n", 1, true],
      ["partial\n", 3, false],
      ["new\n", 1, true],
    ]);
    expect(f.resets).toEqual(["truncated"]);
  });

  it("resumes at a saved position of the same file, and starts over on another file", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "tail-")), "x.log");
    await writeFile(file, "a\nb\n");
    const first = follow(file);
    await first.until(1);
    await first.stop();
    const end = first.blocks[0]?.end;
    await appendFile(file, "c\n");
    const again = follow(file, end);
    await again.until(1);
    await again.stop();
    expect(again.blocks.map((b) => [b.text, b.firstLine])).toEqual([["c\n", 3]]);
    const other = follow(file, end && { ...end, ino: end.ino + 1 });
    await other.until(1);
    await other.stop();
    expect(other.blocks[0]?.text).toBe("a\nb\nc\n");
  });

  it("reads a rotated file to its end before the new one", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "tail-")), "x.log");
    await writeFile(file, "a\n");
    const f = follow(file);
    await f.until(1);
    // logrotate: rename, the writer's last lines land in the old file, then a new one.
    await rename(file, `${file}.1`);
    await appendFile(`${file}.1`, "b\n");
    await writeFile(file, "c\n");
    await f.until(3);
    await f.stop();
    expect(f.blocks.map((b) => [b.text, b.firstLine, b.fresh])).toEqual([
      ["a\n", 1, true],
      ["b\n", 2, false],
      ["c\n", 1, true],
    ]);
    expect(f.resets).toEqual(["rotated"]);
  });
});
