import { describe, expect, it } from "vitest";
import { parseWith } from "../test-helpers.js";

describe("json format", () => {
  it("reads records at a dotted path, flattening nested objects and arrays", async () => {
    const doc = JSON.stringify({
      meta: { count: 2 },
      data: {
        items: [
          { ip: "192.0.2.1", tags: ["a", "b"], src: { port: 22, seen: null } },
          7,
          { ip: "2001:db8::1", ok: true },
        ],
      },
    });
    const { records, bad } = await parseWith({ type: "json", path: "data.items" }, [
      doc.slice(0, 20),
      doc.slice(20),
    ]);
    expect(records).toEqual([
      { line: 1, fields: { ip: "192.0.2.1", tags: ["a", "b"], "src.port": "22" } },
      { line: 3, fields: { ip: "2001:db8::1", ok: "true" } },
    ]);
    expect(bad).toEqual([[2, "record 2 is not an object"]]);
  });

  it("says where the path is missing", async () => {
    await expect(parseWith({ type: "json", path: "data.items" }, ['{"data": {}}'])).rejects.toThrow(
      /no "items" in data of the JSON document/,
    );
    await expect(parseWith({ type: "json" }, ['{"a": 1'])).rejects.toThrow(/not a JSON document/);
  });

  it("reads JSON lines, reporting a bad line with its number (CRLF, blank lines)", async () => {
    const text = '{"ip": "192.0.2.1"}\r\n\r\n{"ip": \r\n[1]\r\n{"ip": "192.0.2.2"}';
    const { records, bad } = await parseWith({ type: "json", lines: true }, [text]);
    expect(records).toEqual([
      { line: 1, fields: { ip: "192.0.2.1" } },
      { line: 5, fields: { ip: "192.0.2.2" } },
    ]);
    expect(bad.map(([line, msg]) => [line, msg.slice(0, 9)])).toEqual([
      [3, "not JSON:"],
      [4, "expected "],
    ]);
  });
});
