import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJsonFile, writeAtomic, writeJsonFile } from "./state-file.js";

const dirOf = () => mkdtemp(join(tmpdir(), "state-"));

describe("state files", () => {
  it("reads back what was written, as one line of JSON, with no temp file left", async () => {
    const dir = await dirOf();
    const file = join(dir, "pos.json");
    await writeJsonFile(file, { offset: 1 });
    await writeJsonFile(file, { offset: 2, ino: 7 });
    expect(await readFile(file, "utf8")).toBe('{"offset":2,"ino":7}\n');
    expect(await readJsonFile(file)).toEqual({ offset: 2, ino: 7 });
    expect(await readdir(dir)).toEqual(["pos.json"]);
  });

  it("keeps writes of one file in flight apart: it ends whole, as one of them", async () => {
    const dir = await dirOf();
    const file = join(dir, "ids.bin");
    const datas = ["a".repeat(100_000), "b".repeat(10)];
    await Promise.all(datas.map((d) => writeAtomic(file, d)));
    expect(datas).toContain(await readFile(file, "utf8"));
    expect(await readdir(dir)).toEqual(["ids.bin"]);
  });

  it("gives a secrets file the mode asked for, also when it replaces a wider one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "state-"));
    const file = join(dir, "credentials.json");
    await writeFile(file, "old", { mode: 0o644 });
    await writeAtomic(file, "{}", { mode: 0o600 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toBe("{}");
  });

  it("reads a missing file as undefined and throws on one that is not JSON", async () => {
    const dir = await dirOf();
    expect(await readJsonFile(join(dir, "none.json"))).toBeUndefined();
    await writeFile(join(dir, "bad.json"), '{"half":');
    await expect(readJsonFile(join(dir, "bad.json"))).rejects.toThrow(SyntaxError);
  });
});
