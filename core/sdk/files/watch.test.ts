import { mkdtemp, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { watchFiles } from "./watch.js";

async function setup(content?: string) {
  const file = join(await mkdtemp(join(tmpdir(), "watch-")), "table.csv");
  if (content !== undefined) await writeFile(file, content);
  const reloads: string[] = [];
  const errors: unknown[] = [];
  let fail = false;
  // No timer (0): the test checks by hand, as ctx.every does in bots.
  const watcher = await watchFiles(
    [file],
    0,
    async () => {
      if (fail) throw new Error("bad table");
      reloads.push(await readFile(file, "utf8"));
    },
    (err) => errors.push(err),
  );
  return { file, watcher, reloads, errors, failNext: (f: boolean) => (fail = f) };
}

describe("watchFiles", () => {
  it("reloads once a change has held still for two checks, and only once", async () => {
    const w = await setup("a\n");
    await w.watcher.check();
    expect(w.reloads).toEqual([]);
    await writeFile(w.file, "a\nb\n");
    await w.watcher.check(); // changed since the last check: may still be being written
    expect(w.reloads).toEqual([]);
    await w.watcher.check();
    await w.watcher.check();
    expect(w.reloads).toEqual(["a\nb\n"]);
  });

  it("notices a file renamed over the path and one that appears", async () => {
    const w = await setup();
    await writeFile(w.file, "first\n");
    await w.watcher.check();
    await w.watcher.check();
    await writeFile(`${w.file}.new`, "second\n");
    await rename(`${w.file}.new`, w.file);
    await w.watcher.check();
    await w.watcher.check();
    expect(w.reloads).toEqual(["first\n", "second\n"]);
  });

  it("reports a failed reload and tries again only after the next change", async () => {
    const w = await setup("a\n");
    w.failNext(true);
    await writeFile(w.file, "broken\n");
    await w.watcher.check();
    await w.watcher.check();
    await w.watcher.check();
    expect(w.errors.map((e) => (e as Error).message)).toEqual(["bad table"]);
    w.failNext(false);
    await writeFile(w.file, "fixed\n");
    await w.watcher.check();
    await w.watcher.check();
    expect(w.reloads).toEqual(["fixed\n"]);
  });
});
