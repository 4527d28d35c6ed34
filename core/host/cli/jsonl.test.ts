import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { eventLine, readEventLines, type JsonLine } from "./jsonl.js";

async function read(text: string): Promise<JsonLine[]> {
  const out: JsonLine[] = [];
  for await (const item of readEventLines(Readable.from([text]))) out.push(item);
  return out;
}

describe("readEventLines", () => {
  it("numbers each report by its line in the input, blank lines included", async () => {
    const items = await read('{"port": 80}\n\nnot json\r\n{}\n   \n{"a": null}\n{"b": "c"}');
    expect(items.map((i) => [i.line, i.error === undefined])).toEqual([
      [1, true],
      [3, false],
      [4, true],
      [6, false],
      [7, true],
    ]);
    expect(items[1]?.error).toMatch(/^not JSON/);
    expect(items[3]?.error).toMatch(/key "a"/);
  });

  it("keeps the empty event and takes numbers as strings", async () => {
    const items = await read('{}\n{"port": 80}\n');
    expect(items.map((i) => i.event && eventLine(i.event))).toEqual(["{}", '{"port": ["80"]}']);
  });
});
