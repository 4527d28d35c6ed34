import parse from "@xmpp/xml/lib/parse.js";
import { describe, expect, test } from "vitest";
import { Event } from "../../sdk/event.js";
import { compactXml, decodeCompact, encodeCompact } from "./compact.js";
import { randomEvent, seededRandom } from "./random-events.js";
import { createCodecStats } from "./stats.js";

const NS = "abusehelper#event";

/** Serialize, parse back with @xmpp/xml's parser, decode. */
function roundTrip(event: Event): Event {
  return decodeCompact(parse(encodeCompact(event).toString()));
}

describe("compact form encoding", () => {
  test("writes {a: b} exactly as AbuseHelper reads it", () => {
    expect(compactXml(new Event({ a: "b" }))).toBe(
      '<e xmlns="abusehelper#event"><k a="YQ=="><v a="Yg=="/></k></e>',
    );
  });

  test("orders keys and values by code point whatever the insertion order", () => {
    const one = new Event().add("ip", "192.0.2.2", "192.0.2.1").add("asn", "64496");
    const two = new Event().add("asn", "64496").add("ip", "192.0.2.1", "192.0.2.2");
    const xml = compactXml(one);
    expect(xml).toBe(compactXml(two));
    // "asn" (YXNu) before "ip" (aXA=), 192.0.2.1 (...LjE=) before 192.0.2.2 (...LjI=).
    expect(xml.indexOf("YXNu")).toBeLessThan(xml.indexOf("aXA="));
    expect(xml.indexOf("MTkyLjAuMi4x")).toBeLessThan(xml.indexOf("MTkyLjAuMi4y"));
  });

  test("writes an empty event as an empty <e>", () => {
    expect(compactXml(new Event())).toBe('<e xmlns="abusehelper#event"/>');
    expect(roundTrip(new Event()).size).toBe(0);
  });

  test("encodeCompact gives a real element in the namespace", () => {
    const element = encodeCompact(new Event({ ip: "192.0.2.1" }));
    expect(element.is("e", NS)).toBe(true);
    expect(element.getChildren("k")).toHaveLength(1);
    expect(element.getChild("k")?.getChild("v")?.attrs["a"]).toBe("MTkyLjAuMi4x");
  });
});

describe("compact form round trip through the XML parser", () => {
  test("keeps unicode, astral characters, empty values and several values per key", () => {
    const event = new Event({
      "as name": "ÅÄÖ Exämple Oy",
      description: ["日本語 text", "😀 \u{10FFFF}", ""],
      "": "empty key",
      ip: ["192.0.2.1", "2001:db8::1"],
    });
    expect(roundTrip(event).equals(event)).toBe(true);
  });

  test("keeps characters XML itself cannot carry, since base64 carries them", () => {
    const stats = createCodecStats();
    const event = new Event({ "ctl\u0000": "\u0001\u0008\uFFFE\uFFFF" });
    const back = decodeCompact(parse(encodeCompact(event, stats).toString()));
    expect(back.equals(event)).toBe(true);
    expect(stats.replacedChars).toBe(0);
  });

  test("keeps a leading byte order mark and a real U+FFFD", () => {
    const event = new Event({ bom: "\uFEFFtext", replacement: "\uFFFD" });
    expect(roundTrip(event).equals(event)).toBe(true);
  });

  test("random events come back equal", () => {
    const random = seededRandom(1);
    for (let i = 0; i < 300; i++) {
      const event = randomEvent(random);
      expect(roundTrip(event).toJSON()).toEqual(event.toJSON());
    }
  });
});

describe("compact form repairs and skips", () => {
  test("replaces lone surrogates (not UTF-8 encodable) by U+FFFD and counts them", () => {
    const stats = createCodecStats();
    const event = new Event({ "k\uD800": ["\uDC00v", "ok 😀"] });
    const back = decodeCompact(parse(encodeCompact(event, stats).toString()));
    expect(back.toJSON()).toEqual({ "k\uFFFD": ["ok 😀", "\uFFFDv"] });
    expect(stats.replacedChars).toBe(2);
  });

  test("counts a repaired key on every encoding, not only the first", () => {
    const event = new Event({ "key\uDBFF": "v" });
    compactXml(event);
    const stats = createCodecStats();
    compactXml(event, stats);
    expect(stats.replacedChars).toBe(1);
  });

  test("skips and counts <k> and <v> without an a attribute, keeping the rest", () => {
    const stats = createCodecStats();
    const element = parse(
      `<e xmlns="${NS}"><k><v a="Yg=="/></k><k a="YQ=="><v/><v a="Yg=="/></k></e>`,
    );
    expect(decodeCompact(element, stats).toJSON()).toEqual({ a: ["b"] });
    expect(stats.skipped).toBe(2);
    expect(stats.lastProblem).toMatch(/<v> #1 of key "a" has no "a" attribute/);
  });

  test("skips and counts invalid base64 and invalid UTF-8, never throwing", () => {
    const stats = createCodecStats();
    // "!!" is not base64; "/w==" is the byte 0xFF, not UTF-8; "7aCA" is an encoded surrogate.
    const element = parse(
      `<e xmlns="${NS}"><k a="!!"><v a="Yg=="/></k>` +
        `<k a="YQ=="><v a="/w=="/><v a="7aCA"/><v a="YWJj"/><v a="Yg"/></k></e>`,
    );
    expect(decodeCompact(element, stats).toJSON()).toEqual({ a: ["abc"] });
    expect(stats.skipped).toBe(4);
    expect(stats.lastProblem).toMatch(/not base64 of UTF-8 text \(Yg\)/);
  });

  test("accepts line-wrapped base64, as Python's b64decode does", () => {
    const element = parse(`<e xmlns="${NS}"><k a="YQ=="><v a="MTky&#10;LjAuMi4x"/></k></e>`);
    expect(decodeCompact(element).toJSON()).toEqual({ a: ["192.0.2.1"] });
  });
});
