import { describe, expect, test } from "vitest";
import { Event } from "../../sdk/event.js";
import { BodyParseError, formatBody, parseBody, quoteToken } from "./body.js";
import { randomEvent, seededRandom } from "./random-events.js";

function parseError(text: string): BodyParseError {
  try {
    parseBody(text);
  } catch (err) {
    if (err instanceof BodyParseError) return err;
    throw err;
  }
  throw new Error(`parseBody(${JSON.stringify(text)}) did not fail`);
}

describe("formatBody", () => {
  test("joins key=value pairs with ', ' in code point order", () => {
    const event = new Event({ ip: "192.0.2.1", asn: "64496", cc: ["SE", "FI"] });
    expect(formatBody(event)).toBe("asn=64496, cc=FI, cc=SE, ip=192.0.2.1");
  });

  test("quotes tokens with whitespace, quote, backslash, comma or equals sign", () => {
    const event = new Event({
      "source time": "2024-01-02 03:04:05Z",
      "a,": "b",
      q: 'say "hi"',
      path: "C:\\temp",
      eq: "x=y",
      nbsp: "a\u00A0b",
    });
    expect(formatBody(event)).toBe(
      '"a,"=b, eq="x=y", nbsp="a\u00A0b", path="C:\\\\temp", q="say \\"hi\\"", ' +
        '"source time"="2024-01-02 03:04:05Z"',
    );
  });

  test("leaves empty tokens and other punctuation bare, as AbuseHelper does", () => {
    expect(quoteToken("")).toBe("");
    expect(quoteToken("http://example.com/a;b?c")).toBe("http://example.com/a;b?c");
    expect(formatBody(new Event({ a: "" }))).toBe("a=");
  });

  test("gives an empty text for an empty event", () => {
    expect(formatBody(new Event())).toBe("");
  });
});

describe("parseBody", () => {
  test("collects repeated keys into one multi-valued key", () => {
    expect(parseBody("a=b, a=c").toJSON()).toEqual({ a: ["b", "c"] });
  });

  test("reads an empty or blank text as the empty event", () => {
    expect(parseBody("").size).toBe(0);
    expect(parseBody(" \t\n").size).toBe(0);
  });

  test("reads AbuseHelper's own regression sample", () => {
    // abusehelper/core/events.py Event.from_unicode doctest: ur'x="\\", "y"=b'
    expect(parseBody(String.raw`x="\\", "y"=b`).toJSON()).toEqual({ x: ["\\"], y: ["b"] });
  });

  test("ignores spaces around tokens and allows empty tokens", () => {
    expect(parseBody("  a = b ,c=  ").toJSON()).toEqual({ a: ["b"], c: [""] });
    expect(parseBody("=").toJSON()).toEqual({ "": [""] });
  });

  test("reads a quoted token left open by a trailing backslash as AbuseHelper does", () => {
    // Python's regex backtracks: the escaped quote becomes the closing one.
    expect(parseBody(String.raw`a="b\"`).toJSON()).toEqual({ a: ["b\\"] });
    expect(parseBody(String.raw`a="b\\\"`).toJSON()).toEqual({ a: ["b\\\\"] });
    expect(parseBody(String.raw`a="\\\"", b=c`).toJSON()).toEqual({ a: ['\\"'], b: ["c"] });
  });

  test("stays fast on long runs of backslashes in an unclosed quote", () => {
    // A backtracking regex takes exponential time here; the test would time out.
    const text = `a="${"\\".repeat(5000)}`;
    expect(parseError(text).position).toBe(2);
  });

  test("round-trips what formatBody writes", () => {
    const random = seededRandom(3);
    for (let i = 0; i < 500; i++) {
      const event = randomEvent(random);
      expect(parseBody(formatBody(event)).toJSON()).toEqual(event.toJSON());
    }
  });
});

describe("parseBody errors", () => {
  test.each([
    ["a=b c", 4, '"," or end of text', 'unexpected "c" at position 4'],
    ["a", 1, '"="', "unexpected end of text at position 1"],
    ["a=b,", 4, '"="', "unexpected end of text at position 4"],
    ["a  ", 1, '"="', "unexpected end of text at position 1"],
    [",", 0, '"="', 'unexpected "," at position 0'],
    ['a="b', 2, '"," or end of text', 'unexpected "\\"" at position 2'],
    ['k="v"x', 5, '"," or end of text', 'unexpected "x" at position 5'],
    [String.raw`a="x\", b="y"`, 11, '"," or end of text', 'unexpected "y" at position 11'],
  ])("%j fails at %i expecting %s", (text, position, expected, message) => {
    const err = parseError(text);
    expect(err.position).toBe(position);
    expect(err.expected).toBe(expected);
    expect(err.message).toBe(`body: ${message}, expected ${expected}`);
  });
});
