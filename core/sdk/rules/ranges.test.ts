import { describe, expect, it } from "vitest";
import { Event } from "../event.js";
import { domainAtom, ipAtom, parseRule, ruleEquals } from "./index.js";

type Bag = Record<string, string | string[]>;

function table(rule: string, rows: [Bag, boolean][]): void {
  const compiled = parseRule(rule);
  for (const [event, want] of rows) {
    expect(compiled.match(new Event(event)), `${rule} on ${JSON.stringify(event)}`).toBe(want);
  }
}

describe("ip in / not in", () => {
  it("holds when the rule's range contains the whole value range", () => {
    table("ip in 192.0.2.0/24", [
      [{ ip: "192.0.2.0" }, true],
      [{ ip: "192.0.2.255" }, true],
      [{ ip: "198.51.100.1" }, false],
      [{ ip: "192.0.2.0/30" }, true], // docs/Rules.md: there are no single IP addresses
      [{ ip: "192.0.2.10-192.0.2.20" }, true],
      [{ ip: "192.0.2.20 - 192.0.2.10" }, true],
      [{ ip: "192.0.2.0/23" }, false],
      [{ ip: " 192.0.2.1 " }, true],
      [{ ip: ["198.51.100.1", "192.0.2.1"] }, true],
      [{ ip: "192.0.2.01" }, false],
      [{ ip: "not an address" }, false],
      [{ ip: "192.0.2.0/33" }, false],
      [{}, false],
    ]);
  });

  it("takes a value CIDR as its whole block, even with host bits set", () => {
    table("ip in 192.0.2.0/25", [
      [{ ip: "192.0.2.1/24" }, false],
      [{ ip: "192.0.2.1/26" }, true],
    ]);
  });

  it("takes explicit ranges in the rule, in either order", () => {
    table("ip in 192.0.2.1-192.0.2.9", [
      [{ ip: "192.0.2.1" }, true],
      [{ ip: "192.0.2.9" }, true],
      [{ ip: "192.0.2.10" }, false],
    ]);
    expect(
      ruleEquals(parseRule("ip in 192.0.2.9 - 192.0.2.1"), parseRule("ip in 192.0.2.1-192.0.2.9")),
    ).toBe(true);
    expect(
      ruleEquals(parseRule("ip in 192.0.2.0/24"), parseRule("ip in 192.0.2.0-192.0.2.255")),
    ).toBe(true);
  });

  it("handles IPv6 CIDRs, ranges and value blocks", () => {
    table("ip in 2001:db8::/32", [
      [{ ip: "2001:db8::1" }, true],
      [{ ip: "2001:DB8:0:0:0:0:0:ffff" }, true],
      [{ ip: "2001:db9::1" }, false],
      [{ ip: "2001:db8:1::/48" }, true],
      [{ ip: "2001:db8::/31" }, false],
    ]);
    table("ip in 2001:db8::1-2001:db8::ff", [
      [{ ip: "2001:db8::80" }, true],
      [{ ip: "2001:db8::100" }, false],
    ]);
  });

  it("never matches across IP versions", () => {
    table("ip in ::/0", [
      [{ ip: "192.0.2.1" }, false],
      [{ ip: "2001:db8::1" }, true],
    ]);
    table("ip in 0.0.0.0/0", [
      [{ ip: "2001:db8::1" }, false],
      [{ ip: "::ffff:192.0.2.1" }, false],
    ]);
    table("ip in ::ffff:192.0.2.0/120", [
      [{ ip: "::ffff:192.0.2.7" }, true],
      [{ ip: "::192.0.2.7" }, false], // IPv4-compatible ::c000:207, as inet_pton reads it
    ]);
  });

  it("not in: some value is outside (or is no address at all)", () => {
    table("ip not in 192.0.2.0/24", [
      [{ ip: "192.0.2.1" }, false],
      [{ ip: ["192.0.2.1", "198.51.100.1"] }, true],
      [{ ip: "garbage" }, true],
      [{}, false],
    ]);
  });

  it("ipAtom builds the same range as rule text and refuses bad input", () => {
    expect(ipAtom("2001:DB8::/32")).toEqual({
      kind: "ip",
      version: 6,
      first: "2001:db8::",
      last: "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
    });
    expect(parseRule("ip in 192.0.2.0/24").node).toEqual({
      type: "match",
      key: "ip",
      value: ipAtom("192.0.2.0-192.0.2.255"),
    });
    expect(() => ipAtom("192.0.2.0/33")).toThrow(/not an IP range/);
    expect(() => ipAtom("192.0.2.0-2001:db8::")).toThrow(/not an IP range/);
  });
});

describe("domain name patterns", () => {
  it("example.com matches itself and subdomains, any case", () => {
    table('"domain name" in example.com', [
      [{ "domain name": "example.com" }, true],
      [{ "domain name": "www.example.com" }, true],
      [{ "domain name": "WWW.Example.COM" }, true],
      [{ "domain name": "notexample.com" }, false],
      [{ "domain name": "example.com.evil.example" }, false],
      [{ "domain name": "com" }, false],
    ]);
  });

  // abusehelper/core/rules/tests/test_rules.py TestMatch/TestNonMatch test_domainname
  it("*.example matches subdomains only", () => {
    table("a in *.example", [
      [{ a: "domain.example" }, true],
      [{ a: "sub.domain.example" }, true],
      [{ a: "*.example" }, false],
      [{ a: "*.domain.example" }, false],
      [{ a: "domain.test" }, false],
      [{ a: "example" }, false],
    ]);
    table("a not in *.example", [
      [{ a: "domain.example" }, false],
      [{ a: "*.example" }, true],
      [{ a: "domain.test" }, true],
    ]);
    table("a in *.*.example", [
      [{ a: "domain.example" }, false],
      [{ a: "sub.domain.example" }, true],
    ]);
  });

  it("compares internationalised names in IDNA form", () => {
    table('"domain name" in bücher.example', [
      [{ "domain name": "xn--bcher-kva.example" }, true],
      [{ "domain name": "www.BÜCHER.example" }, true],
      [{ "domain name": "bucher.example" }, false],
    ]);
    table('"domain name" in XN--BCHER-KVA.example', [[{ "domain name": "bücher.example" }, true]]);
  });

  // _domainname.py parse_name: values that are not well-formed names never match.
  it("ignores values that are not domain names, as AbuseHelper does", () => {
    const bad = [
      `${"a.".repeat(128)}example`,
      `${"a".repeat(64)}.example`,
      "domain..example",
      "a domain.example",
      "-domain.example",
      "domain-.example",
      "_dmarc.example",
      "sub.example.", // AbuseHelper's per-label ToASCII rejects the empty last label
    ];
    for (const value of bad) table("d in *.example", [[{ d: value }, false]]);
    table("d in *.example", [[{ d: `${"a".repeat(63)}.example` }, true]]);
  });

  it("domainAtom normalises and refuses bad patterns", () => {
    expect(domainAtom("*.Bücher.example")).toEqual({
      kind: "domain",
      wildcards: 1,
      labels: ["xn--bcher-kva", "example"],
    });
    for (const bad of ["example", "*.*", "domain.*.example", "a b.example", "test*.example"]) {
      expect(() => domainAtom(bad), bad).toThrow(/not a domain name pattern/);
    }
  });
});
