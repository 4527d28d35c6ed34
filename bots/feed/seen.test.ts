import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IdSet, loadIds, saveIds } from "./seen.js";

const id = (n: number) => createHash("sha1").update(String(n)).digest("hex");

describe("IdSet", () => {
  it("adds, finds and grows past its first capacity", () => {
    const set = new IdSet(4);
    for (let i = 0; i < 5000; i++) expect(set.addId(id(i))).toBe(true);
    expect(set.addId(id(42))).toBe(false);
    expect(set.size).toBe(5000);
    expect(set.hasId(id(4999))).toBe(true);
    expect(set.hasId(id(5000))).toBe(false);
  });

  it("keeps an id whose low word is zero", () => {
    const set = new IdSet();
    set.addId("00000000" + "00000000" + "0".repeat(24));
    expect(set.hasId("0".repeat(40))).toBe(true);
  });

  it("round-trips through its file, 8 bytes an id", async () => {
    const dir = await mkdtemp(join(tmpdir(), "feed-seen-"));
    const set = new IdSet();
    for (let i = 0; i < 1000; i++) set.addId(id(i));
    await saveIds(join(dir, "ids.bin"), set);
    const back = await loadIds(join(dir, "ids.bin"));
    expect(back.size).toBe(1000);
    expect(back.hasId(id(999)) && !back.hasId(id(1000))).toBe(true);
    expect(set.toBuffer().length).toBe(8 + 8 * 1000);
  });

  it("loads nothing from a missing file and refuses a foreign one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "feed-seen-"));
    expect((await loadIds(join(dir, "none.bin"))).size).toBe(0);
    await writeFile(join(dir, "bad.bin"), "not ids");
    await expect(loadIds(join(dir, "bad.bin"))).rejects.toThrow(/bad.bin: not an id file/);
  });
});
