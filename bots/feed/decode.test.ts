import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { decompress, sniff } from "./decode.js";
import { chunks, collect } from "./test-helpers.js";

const TEXT = "192.0.2.1\n".repeat(5000);

async function unpack(
  data: Uint8Array,
  opts: Parameters<typeof decompress>[1] = {},
  step = 999,
): Promise<string> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += step) parts.push(data.subarray(i, i + step));
  const { body } = await decompress(chunks(...parts), opts);
  return Buffer.concat(await collect(body)).toString();
}

describe("decompress", () => {
  const gz = gzipSync(TEXT);
  const zip = zipSync({ notes: {}, "readme.txt": strToU8("hello\n"), "list.txt": strToU8(TEXT) });
  const bz = execFileSync("bzip2", ["-c"], { input: TEXT });

  it("tells formats by their magic bytes", () => {
    expect([sniff(gz), sniff(zip), sniff(bz), sniff(Buffer.from("BZh but text\n"))]).toEqual([
      "gzip",
      "zip",
      "bz2",
      "none",
    ]);
  });

  it("unpacks gzip, bz2 and zip (first file, or a named member) in small chunks", async () => {
    expect(await unpack(gz)).toBe(TEXT);
    expect(await unpack(bz)).toBe(TEXT);
    expect(await unpack(zip)).toBe("hello\n");
    expect(await unpack(zip, { member: "list.txt" })).toBe(TEXT);
    expect(await unpack(Buffer.from("plain\n"))).toBe("plain\n");
  });

  it("fails a truncated or missing member clearly", async () => {
    await expect(unpack(gz.subarray(0, gz.length - 20))).rejects.toThrow(/unexpected end of file/);
    await expect(unpack(bz.subarray(0, bz.length - 20))).rejects.toThrow(
      /bad or truncated bz2 data/,
    );
    await expect(unpack(zip.subarray(0, 200), { member: "list.txt" })).rejects.toThrow(
      /^(bad zip data in list.txt|zip member list.txt is truncated)/,
    );
    await expect(unpack(zip, { member: "nope.txt" })).rejects.toThrow(
      'no member "nope.txt" in the zip archive (members: notes/, readme.txt, list.txt)',
    );
  });
});
