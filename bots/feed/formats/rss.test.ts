import { describe, expect, it } from "vitest";
import { parseWith } from "../test-helpers.js";

const RSS = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Phish</title>
<item><title>A &amp; B</title><link>http://example.com/a</link>
<description><![CDATA[<b>kit</b>]]></description><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>
<category>phishing</category><category>bank</category><guid isPermaLink="false">g1</guid></item>
<item><title>Only a title</title></item>
</channel></rss>`;

const ATOM = `<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title type="text">T</title><link rel="self" href="http://example.com/self"/>
<link rel="alternate" href="http://example.com/x"/><id>urn:uuid:1</id>
<updated>2024-01-02T03:04:05Z</updated><summary>S</summary><category term="malware"/></entry></feed>`;

describe("rss format", () => {
  it("reads RSS 2.0 items", async () => {
    const { records } = await parseWith({ type: "rss" }, [RSS.slice(0, 50), RSS.slice(50)]);
    expect(records).toEqual([
      {
        line: 1,
        fields: {
          title: "A & B",
          link: "http://example.com/a",
          description: "<b>kit</b>",
          pubDate: "Tue, 10 Jun 2003 04:00:00 GMT",
          category: ["phishing", "bank"],
          guid: "g1",
        },
      },
      { line: 2, fields: { title: "Only a title" } },
    ]);
  });

  it("reads Atom entries onto the same field names", async () => {
    const { records } = await parseWith({ type: "rss" }, [ATOM]);
    expect(records[0]?.fields).toEqual({
      title: "T",
      link: "http://example.com/x",
      description: "S",
      updated: "2024-01-02T03:04:05Z",
      guid: "urn:uuid:1",
      category: ["malware"],
    });
  });

  it("fails on a cut-off document, saying so", async () => {
    await expect(parseWith({ type: "rss" }, [RSS.slice(0, 200)])).rejects.toThrow(
      /not well-formed XML/,
    );
    await expect(parseWith({ type: "rss" }, ["<html><body/></html>"])).rejects.toThrow(
      /no RSS channel/,
    );
  });
});
