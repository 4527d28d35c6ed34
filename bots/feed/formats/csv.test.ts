import { describe, expect, it } from "vitest";
import { parseWith } from "../test-helpers.js";

describe("csv format", () => {
  it("reads a header row, quoted fields, empty fields, CRLF and a BOM", async () => {
    const text = '\uFEFFip , desc,port\r\n192.0.2.1,"a, ""quoted"" text",\r\n192.0.2.2,,25\r\n';
    const { records, bad } = await parseWith({ type: "csv", columns: "header" }, [text]);
    expect(bad).toEqual([]);
    expect(records).toEqual([
      { line: 2, fields: { ip: "192.0.2.1", desc: 'a, "quoted" text', port: "" } },
      { line: 3, fields: { ip: "192.0.2.2", desc: "", port: "25" } },
    ]);
  });

  it("skips banner lines and comment lines, and keeps # inside a field", async () => {
    const text = "Banner of the feed\nip;url\n# a comment\n192.0.2.1;http://example.com/#x\n";
    const format = {
      type: "csv" as const,
      delimiter: ";",
      comment: "#",
      columns: "header" as const,
      skipLines: 1,
    };
    const { records } = await parseWith(format, [text]);
    expect(records).toEqual([
      { line: 4, fields: { ip: "192.0.2.1", url: "http://example.com/#x" } },
    ]);
  });

  it("reports a line that does not parse with its number, and goes on", async () => {
    const text = 'ip,desc\n192.0.2.1,ok\n192.0.2.2,too,many\n192.0.2.3,bad"quote\n192.0.2.4,fine\n';
    const { records, bad } = await parseWith({ type: "csv", columns: ["ip", "desc"] }, [
      text.slice(0, 30),
      text.slice(30),
    ]);
    expect(records.map((r) => r.fields["ip"])).toEqual(["ip", "192.0.2.1", "192.0.2.4"]);
    expect(bad.map(([line]) => line)).toEqual([3, 4]);
    expect(bad[0]?.[1]).toMatch(/columns length is 2, got 3/);
  });

  it("accepts stray quotes with relaxQuotes and numbers lines from firstLine", async () => {
    const { records, bad } = await parseWith(
      { type: "csv", columns: ["ip", "desc"], relaxQuotes: true, trim: true },
      ['192.0.2.3, 12" pipe\n'],
      { firstLine: 41 },
    );
    expect(bad).toEqual([]);
    expect(records).toEqual([{ line: 41, fields: { ip: "192.0.2.3", desc: '12" pipe' } }]);
  });

  it("numbers a record after a multi-line quoted field correctly", async () => {
    const { records } = await parseWith({ type: "csv", columns: ["a", "b"] }, [
      '1,"two\nlines"\n3,4\n',
    ]);
    expect(records.map((r) => r.line)).toEqual([2, 3]);
  });
});
