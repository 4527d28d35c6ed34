import parse from "@xmpp/xml/lib/parse.js";
import { describe, expect, test } from "vitest";
import { Event } from "../../sdk/event.js";
import { parseBody } from "./body.js";
import { decodeMessage } from "./message.js";
import { createCodecStats } from "./stats.js";

// Stanzas written the way AbuseHelper 5.x puts them on the wire and a MUC room reflects them:
// idiokit's serializer (idiokit/xmlcore.py) quotes attributes with xml.sax.saxutils.quoteattr
// (single quotes when the value holds a double quote, &#10; for a newline), orders them as a
// Python dict happens to, and escapes text or wraps it in CDATA. The event children follow
// Event.to_elements (legacy, with its body) and Event.from_elements (compact "<e>") in
// abusehelper/core/events.py. Base64 below was computed with Python's base64.b64encode.

const LEGACY = `<message xmlns="jabber:client" from="raw@conference.example.com/dshield" \
to="expert@example.com/bot" type="groupchat" id="ah-1">\
<body>ip=192.0.2.1, asn=64496, description="he said \\"hi\\"
bye", "source time"="2024-01-02 03:04:05Z"</body>\
<event xmlns="abusehelper#event">\
<attr value="192.0.2.1" key="ip"/>\
<attr key="asn" value="64496"/>\
<attr key="description" value='he said "hi"&#10;bye'/>\
<attr value="2024-01-02 03:04:05Z" key="source time"/>\
</event></message>`;

const COMPACT = `<message xmlns="jabber:client" from="raw@conference.example.com/feeds" \
to="expert@example.com/bot" type="groupchat">\
<e xmlns="abusehelper#event"><k a="aXA="><v a="MTkyLjAuMi4x"/></k>\
<k a="YXNu"><v a="NjQ0OTY="/></k></e>\
<e xmlns="abusehelper#event"><k a="ZG9tYWluIG5hbWU="><v a="ZXhhbXBsZS5jb20="/></k>\
<k a="dXJs"><v a="aHR0cDovL2V4YW1wbGUuY29tL2E/Yj1jJmQ="/></k></e>\
<e xmlns="abusehelper#event"><k a="ZGVzY3JpcHRpb24="><v a="w4TDpGtrw7ZuZW4g8J+YgA=="/></k>\
<k a="ZmVlZA=="><v a="ZHNoaWVsZA=="/></k></e>\
</message>`;

const CDATA_BODY = `<message type="groupchat"><body><![CDATA[url="http://example.com/?a=<b>&c"]]></body>\
<event xmlns="abusehelper#event"><attr key="url" value="http://example.com/?a=&lt;b&gt;&amp;c"/>\
</event></message>`;

describe("stanzas from AbuseHelper 5.x", () => {
  test("a legacy single event with its body decodes, and its body parses to the same", () => {
    const stats = createCodecStats();
    const [event, ...rest] = decodeMessage(parse(LEGACY), stats);
    const expected = new Event({
      ip: "192.0.2.1",
      asn: "64496",
      description: 'he said "hi"\nbye',
      "source time": "2024-01-02 03:04:05Z",
    });
    expect(rest).toEqual([]);
    expect(event?.toJSON()).toEqual(expected.toJSON());
    expect(parseBody(parse(LEGACY).getChildText("body") ?? "").toJSON()).toEqual(expected.toJSON());
    expect(stats).toEqual({ replacedChars: 0, skipped: 0 });
  });

  test("a message with several compact <e> children gives every event, in order", () => {
    const events = decodeMessage(parse(COMPACT)).map((e) => e.toJSON());
    expect(events).toEqual([
      { asn: ["64496"], ip: ["192.0.2.1"] },
      { "domain name": ["example.com"], url: ["http://example.com/a?b=c&d"] },
      { description: ["Ääkkönen 😀"], feed: ["dshield"] },
    ]);
  });

  test("a legacy message whose body idiokit wrapped in CDATA decodes", () => {
    const message = parse(CDATA_BODY);
    expect(decodeMessage(message).map((e) => e.toJSON())).toEqual([
      { url: ["http://example.com/?a=<b>&c"] },
    ]);
    expect(parseBody(message.getChildText("body") ?? "").value("url")).toBe(
      "http://example.com/?a=<b>&c",
    );
  });
});
