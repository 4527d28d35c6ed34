import { describe, expect, it } from "vitest";
import {
  cleanDomain,
  cleanIp,
  cleanUrl,
  extractItems,
  itemKeys,
  readNetworks,
  type Item,
} from "./items.js";

/** `kind:value`, with `*` when it was written defanged. */
const short = (i: Item) => `${i.kind}:${i.value}${i.defanged ? "*" : ""}`;
const items = (text: string) => extractItems(text).items.map(short);

// [text, the items it holds]
const CASES: [string, string[]][] = [
  // addresses as written
  ["from 192.0.2.1 port 22", ["ip:192.0.2.1"]],
  ["host [198.51.100.7] said", ["ip:198.51.100.7"]],
  ["ip=203.0.113.5, count=3", ["ip:203.0.113.5"]],
  ["203.0.113.5:8080", ["ip:203.0.113.5"]],
  ["the source was 192.0.2.1.", ["ip:192.0.2.1"]],
  ["2001:db8::1 scanned us", ["ip:2001:db8::1"]],
  ["[2001:db8::1]:443", ["ip:2001:db8::1"]],
  ["rip=2001:DB8:0:0:0:0:0:17, lip=2001:db8::25", ["ip:2001:db8::17", "ip:2001:db8::25"]],
  ["::ffff:192.0.2.1", ["ip:192.0.2.1"]],
  ["at 2001:db8::25: then", ["ip:2001:db8::25"]],
  // leading zeros: decimal, never octal
  ["192.000.002.001", ["ip:192.0.2.1"]],
  ["010.0.0.1", ["ip:10.0.0.1"]],
  // defanged
  ["192.0.2[.]1", ["ip:192.0.2.1*"]],
  ["198[.]51[.]100[.]9", ["ip:198.51.100.9*"]],
  ["hxxp://evil[.]example/login.php", ["url:http://evil.example/login.php*"]],
  ["hXXps://evil.example/a?b=1", ["url:https://evil.example/a?b=1*"]],
  ["h**p://evil.example/", ["url:http://evil.example/*"]],
  ["hxxp[:]//198.51.100.7[:]8080/x", ["url:http://198.51.100.7:8080/x*"]],
  ["hxxps[://]evil.example/", ["url:https://evil.example/*"]],
  ["fxp://files.example.net/x", ["url:ftp://files.example.net/x*"]],
  ["evil(dot)example.com", ["domain:evil.example.com*"]],
  ["evil[dot]example[.]com", ["domain:evil.example.com*"]],
  ["evil{.}example.org", ["domain:evil.example.org*"]],
  ["evil\\.example\\.com", ["domain:evil.example.com*"]],
  ["evil dot example dot com", ["domain:evil.example.com*"]],
  ["example DOT com", ["domain:example.com*"]],
  ["invoice[.]zip", ["domain:invoice.zip*"]],
  ["hXXp go [dot] example [dot] com/login [dot] php", ["url:http://go.example.com/login.php*"]],
  ["abuse [at] example.com wrote", []],
  // URLs and names
  ["see (http://evil.example/path).", ["url:http://evil.example/path"]],
  ["http://www.example.com/a_(b)", ["url:http://www.example.com/a_(b)"]],
  ["HTTP://WWW.Example.COM/Path", ["url:http://www.example.com/Path"]],
  ["http://192.000.002.010/", ["url:http://192.0.2.10/"]],
  ["http://[2001:db8:0::1]/x", ["url:http://[2001:db8::1]/x"]],
  ["phish at login.example.net, twice: login.example.net", ["domain:login.example.net"]],
  ["bücher.example", ["domain:xn--bcher-kva.example"]],
  ["www.evil.zip", ["domain:www.evil.zip"]],
  ["host mail.example.co.uk.", ["domain:mail.example.co.uk"]],
  // real names that look defanged stay as they are
  ["dotnet.com", ["domain:dotnet.com"]],
  ["at.example.com", ["domain:at.example.com"]],
  ["hxxpd.example", ["domain:hxxpd.example"]],
  ["the dot com boom", []],
  ["a dot com company", []],
  // not addresses
  ["version 1.2.3.4", []],
  ["v1.2.3.4", []],
  ["Mozilla/5.0 Chrome/120.0.0.1", []],
  ["1.2.3.4.5", []],
  ["OID 1.3.6.1.4.1.311", []],
  ["build 10.0.19041.1", []],
  ["256.1.1.1", []],
  ["2024.12.10 and 10.12.2024", []],
  ["12:30:45", []],
  ["00:1a:2b:3c:4d:5e", []],
  ["fe80::1%eth0", []],
  ["192.0.2.0/24", []],
  ["http://999.1.1.1/", []],
  ["payload.zip run.sh readme.md", []],
  ["example.notatld", []],
  ["e.g. i.e. U.S.", []],
  ["write to abuse@example.com", []],
  ["abuse[@]example.net or user(at)example.org", []],
  ["Message-ID: <a.b@mail.example.com>", []],
];

describe("extractItems", () => {
  it.each(CASES)("%j", (text, expected) => {
    expect(items(text)).toEqual(expected);
  });

  it("has a case table of at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter(([, e]) => e.length === 0).length).toBeGreaterThanOrEqual(15);
  });

  it("says what the mail wrote", () => {
    const [item] = extractItems("visit hxxp://evil[.]example/a now").items;
    expect(item).toEqual({
      kind: "url",
      value: "http://evil.example/a",
      written: "hxxp://evil[.]example/a",
      defanged: true,
    });
  });

  it("does not take a URL's host again as a name or address", () => {
    expect(items("http://evil.example/x http://192.0.2.1/y")).toEqual([
      "url:http://evil.example/x",
      "url:http://192.0.2.1/y",
    ]);
  });

  it("keeps the order of appearance and each value once", () => {
    expect(items("b.example.com 192.0.2.1 a.example.com 192.0.2.1 b.example.com")).toEqual([
      "domain:b.example.com",
      "ip:192.0.2.1",
      "domain:a.example.com",
    ]);
  });

  it("takes only the kinds asked for", () => {
    const text = "192.0.2.1 http://evil.example/ evil.example.net";
    expect(extractItems(text, { kinds: ["ip"] }).items.map(short)).toEqual(["ip:192.0.2.1"]);
  });

  it("gives items as event keys", () => {
    expect(itemKeys(extractItems("192.0.2.1 http://x.example/ y.example.net").items)).toEqual({
      ip: ["192.0.2.1"],
      url: ["http://x.example/"],
      "domain name": ["y.example.net"],
    });
  });
});

describe("own and ignored networks", () => {
  const text = "192.0.2.9 198.51.100.1 2001:db8::5 http://192.0.2.3/x http://example.com/";

  it("drops their addresses and says which list each was in", () => {
    const networks = readNetworks({ own: ["192.0.2.0/24"], ignored: ["2001:db8::/32"] });
    const { items: kept, dropped } = extractItems(text, { networks });
    expect(kept.map(short)).toEqual(["ip:198.51.100.1", "url:http://example.com/"]);
    expect(dropped.map((i) => `${i.value} ${i.network ?? ""}`)).toEqual([
      "192.0.2.9 own network",
      "2001:db8::5 ignored",
      "http://192.0.2.3/x own network",
    ]);
  });

  it("marks them instead when asked", () => {
    const networks = readNetworks({ own: ["192.0.2.0/24"], action: "mark" });
    const { items: kept, dropped } = extractItems(text, { networks });
    expect(dropped).toEqual([]);
    expect(kept.filter((i) => i.network).map((i) => i.value)).toEqual([
      "192.0.2.9",
      "http://192.0.2.3/x",
    ]);
  });

  it("names every bad entry at once", () => {
    expect(() =>
      readNetworks({ own: ["192.0.2.1/24", "nope"], action: "keep" as "mark" }, "tpl.networks"),
    ).toThrow(
      'tpl.networks.own[0]: "192.0.2.1/24": host bits are set after /24: the network is 192.0.2.0/24; ' +
        'tpl.networks.own[1]: "nope": not an IP address; tpl.networks.action: expected drop or mark, got "keep"',
    );
  });
});

describe("one value", () => {
  it("cleans what a template's regex captured", () => {
    expect(cleanIp(" 192.000.002.001 ")).toBe("192.0.2.1");
    expect(cleanIp("[2001:db8::1]")).toBe("2001:db8::1");
    expect(cleanIp("198.51.100[.]4")).toBe("198.51.100.4");
    expect(cleanIp("300.1.2.3")).toBeUndefined();
    expect(cleanUrl("hxxp://evil[.]example/a")).toBe("http://evil.example/a");
    expect(cleanUrl("evil.example/a")).toBeUndefined();
    expect(cleanDomain("Evil[.]Example.")).toBe("evil.example");
    expect(cleanDomain("host.internal.corp")).toBe("host.internal.corp");
    expect(cleanDomain("host.internal.corp", true)).toBeUndefined();
    expect(cleanDomain("-bad-.example")).toBeUndefined();
  });
});
