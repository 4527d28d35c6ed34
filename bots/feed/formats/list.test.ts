import { describe, expect, it } from "vitest";
import { parseWith } from "../test-helpers.js";
import { parseEntry } from "./entry.js";

describe("plain list entries", () => {
  it.each([
    ["192.0.2.1", "ip", "192.0.2.1"],
    ["2001:DB8::1", "ip", "2001:db8::1"],
    ["2001:db8:0:0:0:0:0:1", "ip", "2001:db8::1"],
    ["192.0.2.0/24", "cidr", "192.0.2.0/24"],
    ["2001:db8::/32", "cidr", "2001:db8::/32"],
    ["192.0.2.1-192.0.2.9", "range", "192.0.2.1-192.0.2.9"],
    ["192.0.2.0-192.0.2.255", "range", "192.0.2.0-192.0.2.255"],
    // One address, one event: mapped is the IPv4 address, a CIDR its network.
    ["::ffff:192.0.2.1", "ip", "192.0.2.1"],
    ["::192.0.2.1", "ip", "::c000:201"], // IPv4-compatible: not mapped, not ::ffff:c000:201
    ["192.0.2.1/24", "cidr", "192.0.2.0/24"],
    ["2001:DB8::1/32", "cidr", "2001:db8::/32"],
    ["::ffff:192.0.2.0/120", "cidr", "192.0.2.0/24"],
    ["Example.COM.", "domain", "example.com"],
    ["xn--bcher-kva.example", "domain", "xn--bcher-kva.example"],
    ["http://example.com/a?b#c", "url", "http://example.com/a?b#c"],
  ])("%s is a %s", (text, kind, value) => {
    expect(parseEntry(text)).toEqual({ kind, value });
  });

  it.each([
    "192.0.2.256",
    "010.0.0.1",
    "192.0.2.0/33",
    "192.0.2.0/",
    "192.0.2.0/0x18",
    "192.0.2.9-192.0.2.1",
    "192.0.2.1-2001:db8::1",
    "localhost",
    "fe80::1%eth0",
    "-bad-.example",
    "1.2.3",
  ])("%s is none", (text) => expect(parseEntry(text)).toBeUndefined());

  it("checks a fixed kind", () => {
    expect(parseEntry("example.com", "ip")).toBeUndefined();
    expect(parseEntry("192.0.2.1", "ip")).toEqual({ kind: "ip", value: "192.0.2.1" });
  });
});

describe("list format", () => {
  it("strips comments, keeps the rest of the line as description, reports what is no entry", async () => {
    const text = [
      "# header comment",
      "; another",
      "192.0.2.1",
      "  198.51.100.7   ssh brute force # seen twice",
      "",
      "2001:db8::1 ; note",
      "203.0.113.0/24",
      "not an entry!",
      "example.com\r",
    ].join("\n");
    const { records, bad } = await parseWith({ type: "list" }, [text.slice(0, 17), text.slice(17)]);
    expect(records).toEqual([
      { line: 3, fields: { entry: "192.0.2.1" }, kind: "ip" },
      { line: 4, fields: { entry: "198.51.100.7", description: "ssh brute force" }, kind: "ip" },
      { line: 6, fields: { entry: "2001:db8::1" }, kind: "ip" },
      { line: 7, fields: { entry: "203.0.113.0/24" }, kind: "cidr" },
      { line: 9, fields: { entry: "example.com" }, kind: "domain" },
    ]);
    expect(bad).toEqual([[8, '"not" is not an address, CIDR, range, domain or URL']]);
  });

  it("splits on a given separator, which then is no comment (Spamhaus DROP text)", async () => {
    const { records } = await parseWith({ type: "list", rest: ";" }, [
      "; Spamhaus DROP\n192.0.2.0/24 ; SBL000001\n",
    ]);
    expect(records).toEqual([
      { line: 2, fields: { entry: "192.0.2.0/24", description: "SBL000001" }, kind: "cidr" },
    ]);
  });

  it("keeps a URL fragment and strips a trailing comment after whitespace", async () => {
    const { records } = await parseWith({ type: "list", kind: "url" }, [
      "http://example.com/#frag # phish kit\n",
    ]);
    expect(records[0]?.fields).toEqual({ entry: "http://example.com/#frag" });
  });
});
