import { describe, expect, it } from "vitest";
import { Event } from "../../sdk/event.js";
import {
  numbersAsStrings,
  parseSenderLine,
  pythonJsonString,
  receiverLine,
  SenderFormatError,
} from "./sender-format.js";

// What AbuseHelper 5.7 makes of each line: its tools/sender.py decoder feeding core/events.py
// `Event(obj)`, printed the way tools/receiver.py prints (run under Python 2.7.18; receiver.py
// prints keys in dict order, we sort them).
const ABUSEHELPER: [line: string, printed: string][] = [
  [
    '{"port": 80, "f": 1.50, "e": -1E+3, "l": [1, "x"], "z": -0}',
    '{"e": ["-1E+3"], "f": ["1.50"], "l": ["1", "x"], "port": ["80"], "z": ["-0"]}',
  ],
  ["{}", "{}"],
  ['{"a": []}', "{}"],
  ['{"a": 1, "a": 2}', '{"a": ["2"]}'],
  ['{"": ""}', '{"": [""]}'],
  [
    '{"ip": "192.0.2.1", "ip ": ["192.0.2.1", "192.0.2.1"]}',
    '{"ip": ["192.0.2.1"], "ip ": ["192.0.2.1"]}',
  ],
];

// Lines AbuseHelper's sender stops on (TypeError or ValueError); here each is one bad line.
const REFUSED: [line: string, reason: RegExp][] = [
  ['{"a": true}', /key "a": .*got boolean true/],
  ['{"a": null}', /key "a": .*got null/],
  ['{"a": [null]}', /key "a": .*got null in the list/],
  ['{"a": [[1]]}', /key "a": .*got a list inside a list/],
  ['{"a": NaN}', /not JSON/],
  ['{"a": "1"} x', /not JSON/],
  ["80", /expected a JSON object.*got string "80"/],
  ['"ab"', /expected a JSON object/],
  // AbuseHelper would take the keys of an object as values ({"a": ["x"]}) and a list of pairs
  // as an event: accidents of duck typing that lose data; refused here.
  ['{"a": {"x": 1}}', /key "a": .*got an object/],
  ['[["a", "b"]]', /expected a JSON object/],
];

describe("sender format (AbuseHelper's abusehelper.tools.sender)", () => {
  it.each(ABUSEHELPER)("%s reads as AbuseHelper reads it", (line, printed) => {
    expect(receiverLine(parseSenderLine(line))).toBe(printed);
  });

  it.each(REFUSED)("%s is refused with a reason", (line, reason) => {
    expect(() => parseSenderLine(line)).toThrow(SenderFormatError);
    expect(() => parseSenderLine(line)).toThrow(reason);
  });

  it("turns only numbers in value positions into strings, never keys or text in strings", () => {
    expect(numbersAsStrings('{"n": [1, 2.5e-3], "s": "80, 1"}')).toBe(
      '{"n": ["1", "2.5e-3"], "s": "80, 1"}',
    );
    expect(numbersAsStrings('{"q": "a\\"1", "m": -7}')).toBe('{"q": "a\\"1", "m": "-7"}');
    // {1: "a"} is not JSON; it must not become {"1": "a"}.
    expect(() => parseSenderLine('{1: "a"}')).toThrow(/not JSON/);
    expect(() => parseSenderLine('{"a": 01}')).toThrow(/not JSON/);
    expect(() => parseSenderLine('{"a": 1 2}')).toThrow(/not JSON/);
  });

  it("reports a JSON error at the position in the line as given", () => {
    expect(() => parseSenderLine('{"port": 80,}')).toThrow(/not JSON \(.*position 12/);
  });

  it("keeps a key named __proto__ as an ordinary key", () => {
    const event = parseSenderLine('{"__proto__": "x"}');
    expect(event.values("__proto__")).toEqual(["x"]);
    expect(receiverLine(event)).toBe('{"__proto__": ["x"]}');
  });
});

describe("receiver format (AbuseHelper's abusehelper.tools.receiver)", () => {
  it("prints every value in a list, keys and values sorted, with Python's separators", () => {
    const event = new Event({ type: ["spam", "scanner"], ip: "192.0.2.1" });
    expect(receiverLine(event)).toBe('{"ip": ["192.0.2.1"], "type": ["scanner", "spam"]}');
  });

  it("prints the empty event as {}", () => {
    expect(receiverLine(new Event())).toBe("{}");
  });

  it("escapes like Python's json.dumps: ASCII only, surrogate pairs, lower-case hex", () => {
    // python2 -c 'import json; print json.dumps(u"a\x7f\xfc\U0001d11e\x01\"\\/\n")'
    expect(pythonJsonString('a\x7fü𝄞\x01"\\/\n')).toBe(
      '"a\\u007f\\u00fc\\ud834\\udd1e\\u0001\\"\\\\/\\n"',
    );
    const line = receiverLine(new Event({ ä: "日本" }));
    expect(line).toBe('{"\\u00e4": ["\\u65e5\\u672c"]}');
    expect(JSON.parse(line)).toEqual({ ä: ["日本"] });
  });

  it("round-trips through the sender format", () => {
    const event = new Event({ d: 'scan #1 <&> "q" ✓ 🛰', n: ["1", "2"], "": "" });
    expect(parseSenderLine(receiverLine(event)).equals(event)).toBe(true);
  });
});
