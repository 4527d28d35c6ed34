/**
 * The CSV reader against generated input: well-formed CSV read as csv-parse reads it, and
 * garbage mixed into good lines costing exactly its own lines.
 */
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { parseWith } from "../test-helpers.js";
import { seededRandom } from "../../../core/host/wire/random-events.js";
import type { FormatSpec } from "../types.js";

const CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\r", "\f", "\v", "\u2028"];

/** The text cut at random places, so records and quotes cross chunk borders. */
function cut(text: string, rnd: () => number): string[] {
  const parts: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(rnd() * 4000);
    parts.push(text.slice(at, at + size));
    at += size;
  }
  return parts;
}

describe("csv format, generated input", () => {
  const dialects = [
    { delimiter: ",", trim: false },
    { delimiter: ";", trim: true },
    { delimiter: "\t", trim: false },
    { delimiter: "||", trim: true },
  ];

  it.each(dialects)("reads well-formed CSV as csv-parse does (%o)", async ({ delimiter, trim }) => {
    const rnd = seededRandom(delimiter.length * 7 + (trim ? 1 : 0));
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const word = () => pick(["a", "b c", "192.0.2.1", "x#y", "é", "🦆", ""]);
    const field = (): string => {
      const pad = trim ? pick(["", " ", "\t "]) : "";
      const r = rnd();
      if (r < 0.5) return word() + (r < 0.1 ? pick(CONTROL.slice(0, 5)) + word() : "");
      const inner = [word(), pick(['""', delimiter, "\n", "\r\n", " "]), word()].join("");
      return `${pad}"${inner}"${pad}`;
    };
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = rnd();
      if (r < 0.03) lines.push("");
      else if (r < 0.06) lines.push(`# comment ${delimiter} with a " quote`);
      else lines.push([field(), field(), field(), field()].join(delimiter));
    }
    const text = lines.join("\n") + "\n";
    const columns = ["c0", "c1", "c2", "c3"];
    const expected: unknown[] = parse(text, {
      columns,
      delimiter,
      trim,
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
    });
    const format: FormatSpec = { type: "csv", columns, delimiter, trim, comment: "#" };
    const { records, bad } = await parseWith(format, cut(text, rnd));
    expect(bad).toEqual([]);
    // csv-parse keeps a CRLF inside a quoted field; lines here are joined with LF.
    const lf = (v: unknown) =>
      Object.fromEntries(
        Object.entries(v as Record<string, string>).map(([k, s]) => [k, s.replace(/\r\n/g, "\n")]),
      );
    expect(records.map((r) => r.fields)).toEqual(expected.map(lf));
  });

  it.each([
    { type: "csv", columns: ["ip", "desc", "port"] },
    { type: "csv", columns: "header", delimiter: ";", trim: true, comment: "#" },
  ] satisfies FormatSpec[])(
    "reads every good line of 10k mixed with garbage, and reports each bad one (%o)",
    async (format) => {
      const rnd = seededRandom(format.delimiter ? 2 : 1);
      const d = format.delimiter ?? ",";
      const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const letters = () => pick(["ab", "xyz", "q", "192", "é", "🦆"]);
      // Inside a word only, so that trim cannot eat it.
      const ctrl = () => (rnd() < 0.3 ? letters() + pick(CONTROL) + letters() : letters());
      // Every stray quote is followed by a letter: a quote before a delimiter or a line end
      // may rightly close a field left open lines before (RFC 4180 §2.6), which would make the
      // lines between part of one long field, not good lines.
      const garbage = (): string => {
        const r = rnd();
        if (r < 0.2) return `192.0.2.1${d}"never closed${d}25`;
        if (r < 0.35) return `192.0.2.1${d}"closed"then junk${d}25`;
        if (r < 0.5) return `192.0.2.1${d}a stray"quote${d}25`;
        const n = pick([1, 2, 4, 5, 9]); // any count but the three columns
        const parts = Array.from({ length: n }, () => {
          const w = ctrl();
          return rnd() < 0.2 ? pick([`"${w}`, `${w}"${letters()}`]) : w;
        });
        return parts.join(d);
      };
      const lines: string[] = [];
      const good: { line: number; fields: Record<string, string> }[] = [];
      const badLines: number[] = [];
      if (format.columns === "header") lines.push(["ip", "desc", "port"].join(d));
      while (lines.length < 10_000) {
        const line = lines.length + 1;
        if (rnd() < 0.15) {
          lines.push(garbage());
          badLines.push(line);
          continue;
        }
        const ip = `198.51.100.${line % 256}`;
        const port = String(line % 65536);
        const r = rnd();
        const [raw, desc] =
          r < 0.4
            ? [ctrl(), undefined]
            : r < 0.7
              ? [`"tags${d} ${line}"`, `tags${d} ${line}`]
              : [`"say ""hi"" ${line}"`, `say "hi" ${line}`];
        lines.push([ip, raw, port].join(d));
        good.push({ line, fields: { ip, desc: desc ?? raw, port } });
      }
      const { records, bad } = await parseWith(format, cut(lines.join("\n") + "\n", rnd));
      expect(records).toEqual(good);
      expect(bad.map(([line]) => line)).toEqual(badLines);
      const header = format.columns === "header" ? 1 : 0;
      expect(records.length + bad.length + header).toBe(lines.length);
    },
  );
});
