import parse from "@xmpp/xml/lib/parse.js";
import { describe, expect, test } from "vitest";
import { Event } from "../../sdk/event.js";
import { decodeElement, decodeMessage, encodeMessage } from "./message.js";
import { createCodecStats } from "./stats.js";

const ROOM = "raw@conference.example.com";
const NS = "abusehelper#event";

describe("encodeMessage", () => {
  test("legacy form: a groupchat message with a body and the event", () => {
    const event = new Event({ ip: "192.0.2.1", "source time": "2024-01-02 03:04:05Z" });
    expect(encodeMessage(ROOM, [event], { form: "legacy" }).toString()).toBe(
      `<message type="groupchat" to="${ROOM}">` +
        '<body>ip=192.0.2.1, "source time"="2024-01-02 03:04:05Z"</body>' +
        `<event xmlns="${NS}"><attr key="ip" value="192.0.2.1"/>` +
        '<attr key="source time" value="2024-01-02 03:04:05Z"/></event></message>',
    );
  });

  test("compact form: no body unless asked, one <e> per event", () => {
    const events = [new Event({ a: "b" }), new Event({ a: "c" })];
    expect(encodeMessage(ROOM, events, { form: "compact", id: "m1" }).toString()).toBe(
      `<message type="groupchat" to="${ROOM}" id="m1">` +
        `<e xmlns="${NS}"><k a="YQ=="><v a="Yg=="/></k></e>` +
        `<e xmlns="${NS}"><k a="YQ=="><v a="Yw=="/></k></e></message>`,
    );
    const withBody = encodeMessage(ROOM, events, { form: "compact", body: true });
    expect(withBody.getChildText("body")).toBe("a=b\na=c");
  });

  test("escapes the body and replaces characters XML cannot carry", () => {
    const stats = createCodecStats();
    const event = new Event({ d: "<b>&\u0000\r" });
    const message = encodeMessage(ROOM, [event], { form: "legacy", stats });
    expect(message.toString()).toContain('<body>d="&lt;b&gt;&amp;\uFFFD&#13;"</body>');
    expect(parse(message.toString()).getChildText("body")).toBe('d="<b>&\uFFFD\r"');
    // Counted once, in the event; the body repeats the same character.
    expect(stats.replacedChars).toBe(1);
  });

  test.each(["legacy", "compact"] as const)(
    "%s form parses back with @xmpp/xml and decodes to equal events",
    (form) => {
      const events = [
        new Event({ ip: ["192.0.2.1", "2001:db8::1"], "as name": "Exämple 😀", e: "" }),
        new Event(),
        new Event({ description: 'tab\there "q" <x/> & more\nlines' }),
      ];
      const xml = encodeMessage(ROOM, events, { form }).toString();
      const back = decodeMessage(parse(xml));
      expect(back.map((e) => e.toJSON())).toEqual(events.map((e) => e.toJSON()));
    },
  );
});

describe("decodeMessage", () => {
  test("reads two <e> and one <event> in one message, in document order", () => {
    const message = parse(
      `<message xmlns="jabber:client" type="groupchat" from="${ROOM}/feed">` +
        `<e xmlns="${NS}"><k a="YQ=="><v a="MQ=="/></k></e>` +
        `<event xmlns="${NS}"><attr key="a" value="2"/></event>` +
        `<e xmlns="${NS}"><k a="YQ=="><v a="Mw=="/></k></e></message>`,
    );
    expect(decodeMessage(message).map((e) => e.value("a"))).toEqual(["1", "2", "3"]);
  });

  test("ignores the body and elements of other namespaces", () => {
    const message = parse(
      `<message type="groupchat"><body>a=b</body>` +
        `<e xmlns="urn:example:other"><k a="YQ=="><v a="Yg=="/></k></e>` +
        `<event><attr key="a" value="b"/></event>` +
        `<delay xmlns="urn:xmpp:delay" stamp="2024-01-02T03:04:05Z"/></message>`,
    );
    expect(decodeMessage(message)).toEqual([]);
  });

  test("reads our own message element without a parse in between", () => {
    const events = [new Event({ a: "b" }), new Event({ c: "d" })];
    const message = encodeMessage(ROOM, events, { form: "compact" });
    expect(decodeMessage(message).map((e) => e.toJSON())).toEqual([{ a: ["b"] }, { c: ["d"] }]);
  });

  test("decodeElement tells event elements from others", () => {
    expect(decodeElement(parse(`<e xmlns="${NS}"/>`))?.size).toBe(0);
    expect(decodeElement(parse(`<body>a=b</body>`))).toBeUndefined();
  });

  test("keeps going past malformed parts and counts them", () => {
    const stats = createCodecStats();
    const message = parse(
      `<message><e xmlns="${NS}"><k a="%%%"><v a="MQ=="/></k><k a="YQ=="><v a="MQ=="/></k></e>` +
        `<event xmlns="${NS}"><attr key="b"/><attr key="b" value="2"/></event></message>`,
    );
    const events = decodeMessage(message, stats);
    expect(events.map((e) => e.toJSON())).toEqual([{ a: ["1"] }, { b: ["2"] }]);
    expect(stats.skipped).toBe(2);
  });
});
