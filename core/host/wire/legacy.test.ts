import parse from "@xmpp/xml/lib/parse.js";
import { describe, expect, test } from "vitest";
import { Event } from "../../sdk/event.js";
import { decodeLegacy, encodeLegacy, legacyXml } from "./legacy.js";
import { randomEvent, seededRandom } from "./random-events.js";
import { createCodecStats } from "./stats.js";

const NS = "abusehelper#event";

function roundTrip(event: Event): Event {
  return decodeLegacy(parse(encodeLegacy(event).toString()));
}

describe("legacy form encoding", () => {
  test("writes a small event exactly, one <attr> per pair in code point order", () => {
    const event = new Event({ ip: "192.0.2.1", asn: "64496", port: ["443", "22"] });
    expect(legacyXml(event)).toBe(
      '<event xmlns="abusehelper#event">' +
        '<attr key="asn" value="64496"/>' +
        '<attr key="ip" value="192.0.2.1"/>' +
        '<attr key="port" value="22"/>' +
        '<attr key="port" value="443"/>' +
        "</event>",
    );
  });

  test("escapes markup and writes tab, newline and CR as character references", () => {
    // A parser turns raw tab/LF/CR in an attribute into spaces (XML 1.0 §3.3.3).
    const event = new Event({ d: 'say "hi" <&>\t1\n2\r3' });
    expect(legacyXml(event)).toBe(
      '<event xmlns="abusehelper#event">' +
        '<attr key="d" value="say &quot;hi&quot; &lt;&amp;&gt;&#9;1&#10;2&#13;3"/></event>',
    );
  });

  test("writes an empty event as an empty <event>", () => {
    expect(legacyXml(new Event())).toBe('<event xmlns="abusehelper#event"/>');
  });

  test("encodeLegacy serializes like legacyXml and is a real element", () => {
    const event = new Event({ a: "b" });
    const element = encodeLegacy(event);
    expect(element.toString()).toBe(legacyXml(event));
    expect(element.getChild("attr")?.attrs).toEqual({ key: "a", value: "b" });
  });
});

describe("legacy form round trip through the XML parser", () => {
  test("keeps unicode, astral characters, empty values, whitespace and several values", () => {
    const event = new Event({
      "as name": "ÅÄÖ Exämple Oy",
      description: ['multi\nline\ttext "quoted" <b>&amp;</b>', "😀 \u{10FFFF}", ""],
      "": "empty key",
      ip: ["192.0.2.1", "2001:db8::1"],
    });
    expect(roundTrip(event).equals(event)).toBe(true);
  });

  test("random events come back equal", () => {
    const random = seededRandom(2);
    for (let i = 0; i < 300; i++) {
      const event = randomEvent(random);
      expect(roundTrip(event).toJSON()).toEqual(event.toJSON());
    }
  });
});

describe("legacy form repairs and skips", () => {
  test("replaces characters outside XML's Char production by U+FFFD and counts them", () => {
    const stats = createCodecStats();
    const event = new Event({ "k\u0000": "a\u0001b\u000Bc\uFFFEd\uFFFF\uD800e\uDFFF😀\t" });
    const xml = encodeLegacy(event, stats).toString();
    expect(decodeLegacy(parse(xml)).toJSON()).toEqual({
      "k\uFFFD": ["a\uFFFDb\uFFFDc\uFFFDd\uFFFD\uFFFDe\uFFFD😀\t"],
    });
    expect(stats.replacedChars).toBe(7);
  });

  test("skips and counts an <attr> missing its key or value", () => {
    const stats = createCodecStats();
    const element = parse(
      `<event xmlns="${NS}"><attr key="a"/><attr value="b"/><attr key="ip" value="192.0.2.1"/>` +
        `<other key="x" value="y"/></event>`,
    );
    expect(decodeLegacy(element, stats).toJSON()).toEqual({ ip: ["192.0.2.1"] });
    expect(stats.skipped).toBe(2);
    expect(stats.lastProblem).toBe('legacy event: <attr> #2 has no "key" attribute');
  });
});
