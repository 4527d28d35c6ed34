import { describe, expect, it } from "vitest";
import { parseWith } from "../test-helpers.js";
import { MAX_RECORD_CHARS, MAX_RECORD_LINES } from "./csv.js";

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
    expect(bad[0]?.[1]).toBe("3 fields for 2 columns");
    expect(bad[1]?.[1]).toMatch(/stray quote inside unquoted field 2/);
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

  it("reads a closed multi-line quoted field as one record, numbered by its first line", async () => {
    // RFC 4180 §2.6; the field's line breaks cross a chunk border too.
    const { records, bad } = await parseWith({ type: "csv", columns: ["a", "b"] }, [
      '1,"two\nli',
      'nes, ""quoted"""\r\n3,4\n5,"x\n\ny"\n',
    ]);
    expect(bad).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: { a: "1", b: 'two\nlines, "quoted"' } },
      { line: 3, fields: { a: "3", b: "4" } },
      { line: 4, fields: { a: "5", b: "x\n\ny" } },
    ]);
  });

  it("loses only the line of an unclosed quote in a 1000-line file", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `192.0.2.${i % 256},"row ${i + 1}"`);
    lines[499] = '192.0.2.9,"never closed';
    const text = lines.join("\n") + "\n";
    const { records, bad } = await parseWith({ type: "csv", columns: ["ip", "desc"] }, [
      text.slice(0, 9000),
      text.slice(9000),
    ]);
    expect(bad).toEqual([[500, "unclosed quote in field 2: the lines after do not go on with it"]]);
    expect(records).toHaveLength(999);
    expect(records[499]).toEqual({ line: 501, fields: { ip: "192.0.2.244", desc: "row 501" } });
    expect(records.map((r) => r.line)).toEqual(
      [...Array(1001).keys()].slice(1).filter((n) => n !== 500),
    );
  });

  it("gives up on a quote still open after MAX_RECORD_LINES lines and reads on", async () => {
    const body = Array.from({ length: MAX_RECORD_LINES + 5 }, (_, i) => `${i},plain`);
    const { records, bad } = await parseWith({ type: "csv", columns: ["a", "b"] }, [
      ['x,"open', ...body, 'y,"closed"'].join("\n"),
    ]);
    expect(bad).toEqual([
      [1, `unclosed quote in field 2: still open after ${MAX_RECORD_LINES} lines`],
    ]);
    expect(records).toHaveLength(MAX_RECORD_LINES + 6);
    expect(records.at(-1)).toEqual({ line: MAX_RECORD_LINES + 7, fields: { a: "y", b: "closed" } });
  });

  it("gives up on a quote still open after MAX_RECORD_CHARS characters and reads on", async () => {
    const long = "x".repeat(MAX_RECORD_CHARS / 2);
    const { records, bad } = await parseWith({ type: "csv", columns: ["a", "b"] }, [
      `1,"${long}\n${long},y\n${long},z\n2,3\n`,
    ]);
    expect(bad).toEqual([
      [1, expect.stringMatching(/^unclosed quote in field 2: still open after \d+ characters$/)],
    ]);
    expect(records.map((r) => [r.line, r.fields["b"]])).toEqual([
      [2, "y"],
      [3, "z"],
      [4, "3"],
    ]);
  });

  it("loses only the line of a bad closing quote, with or without trim", async () => {
    const text = '1,"a"b\n2,"c"\n3,"d" e\n4,"f"\n';
    for (const trim of [false, true]) {
      const { records, bad } = await parseWith({ type: "csv", columns: ["n", "v"], trim }, [text]);
      expect(records.map((r) => r.fields)).toEqual([
        { n: "2", v: "c" },
        { n: "4", v: "f" },
      ]);
      expect(bad.map(([line]) => line)).toEqual([1, 3]);
      expect(bad[0]?.[1]).toMatch(/^invalid closing quote in field 2: "b" follows it/);
    }
  });

  it("keeps a quoted field's quotes when relaxQuotes meets text after them", async () => {
    const { records, bad } = await parseWith(
      { type: "csv", columns: ["n", "v"], relaxQuotes: true },
      ['1,"a"b\n2,x"y\n'],
    );
    expect(bad).toEqual([]);
    expect(records.map((r) => r.fields["v"])).toEqual(['"a"b', 'x"y']);
  });

  it("reads a bare CR as a plain character, not a line break", async () => {
    // csv-parse took a CR in line 1 for the record delimiter and read the file as one record.
    const { records, bad } = await parseWith({ type: "csv", columns: ["a", "b"] }, [
      "1,x\ry\n2,z\n",
    ]);
    expect(bad).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: { a: "1", b: "x\ry" } },
      { line: 2, fields: { a: "2", b: "z" } },
    ]);
  });

  it("takes the header after banner lines, and fills what a short row has with relaxColumnCount", async () => {
    const text = 'Banner "with a quote\n\n  # note\n ip ; "desc"\n192.0.2.1 ; " a;b "\n192.0.2.2\n';
    const { records, bad } = await parseWith(
      {
        type: "csv",
        columns: "header",
        delimiter: ";",
        comment: "#",
        trim: true,
        skipLines: 1,
        relaxColumnCount: true,
      },
      [text],
    );
    expect(bad).toEqual([]);
    expect(records).toEqual([
      { line: 5, fields: { ip: "192.0.2.1", desc: " a;b " } },
      { line: 6, fields: { ip: "192.0.2.2" } },
    ]);
  });
});
