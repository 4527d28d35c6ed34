import { describe, expect, it } from "vitest";
import { Event } from "../event.js";
import { parseRule } from "./index.js";

type Bag = Record<string, string | string[]>;
const matches = (rule: string, event: Bag): boolean => parseRule(rule).match(new Event(event));

function table(rule: string, rows: [Bag, boolean][]): void {
  for (const [event, want] of rows) {
    expect(matches(rule, event), `${rule} on ${JSON.stringify(event)}`).toBe(want);
  }
}

describe("match semantics on multi-valued events", () => {
  // docs/Rules.md "Common Pitfall: Has-Not vs. Has-Inequal-To"
  it("k != v: some value of k is not v", () => {
    table("abc != xyz", [
      [{ abc: "xyz" }, false],
      [{ abc: ["xyz", "123"] }, true],
      [{ abc: "123" }, true],
      [{}, false],
    ]);
  });

  it("no k = v: no value of k is v", () => {
    table("no abc = xyz", [
      [{ abc: "xyz" }, false],
      [{ abc: ["xyz", "123"] }, false],
      [{ abc: "123" }, true],
      [{}, true],
    ]);
  });

  it("k = v: some value of k is exactly v, case and all", () => {
    table("cc = FI", [
      [{ cc: "FI" }, true],
      [{ cc: ["SE", "FI"] }, true],
      [{ cc: "fi" }, false],
      [{ "source cc": "FI" }, false],
      [{}, false],
    ]);
  });

  // docs/Rules.md "Star Patterns"
  it("* patterns: any event, any pair, a key's presence", () => {
    table("*", [
      [{}, true],
      [{ a: "1" }, true],
    ]);
    table("* = *", [
      [{}, false],
      [{ a: "1" }, true],
    ]);
    table("no * = *", [
      [{}, true],
      [{ a: "1" }, false],
    ]);
    table("x = *", [
      [{ x: "1" }, true],
      [{ y: "1" }, false],
    ]);
    table("no x = *", [
      [{ x: "1" }, false],
      [{}, true],
    ]);
    table("* = FI", [
      [{ cc: "FI" }, true],
      [{ FI: "cc" }, false],
    ]);
    table("* != FI", [
      [{ cc: "FI" }, false],
      [{ cc: "FI", x: "y" }, true],
    ]);
  });

  it("k != * holds when k has any value, as AbuseHelper's NonMatch(key) does", () => {
    table("x != *", [
      [{ x: "1" }, true],
      [{}, false],
    ]);
  });

  it("and, or and no combine as expected", () => {
    table("cc = FI and type = malware", [
      [{ cc: "FI", type: "malware" }, true],
      [{ cc: "FI", type: "c&c" }, false],
    ]);
    table("cc = FI or cc = SE", [
      [{ cc: "SE" }, true],
      [{ cc: "NO" }, false],
    ]);
    table("(cc = FI and type = malware) or cc = SE", [
      [{ cc: "SE", type: "spam" }, true],
      [{ cc: "FI", type: "spam" }, false],
    ]);
  });

  it("gives and/or no precedence: `a and b or c` needs a", () => {
    // With the usual precedence {c} would match; AbuseHelper reads a and (b or c).
    table("a = 1 and b = 1 or c = 1", [
      [{ c: "1" }, false],
      [{ a: "1", c: "1" }, true],
    ]);
    table("a = 1 or b = 1 and c = 1 or d = 1", [
      [{ d: "1" }, false],
      [{ b: "1", d: "1" }, true],
      [{ a: "1" }, true],
    ]);
  });
});

describe("fuzzy rules", () => {
  // abusehelper/core/rules/tests/test_rules.py TestFuzzy
  it("a word matches any key or value containing it, ignoring case", () => {
    table("a", [
      [{ a: "xy" }, true],
      [{ xy: "a" }, true],
      [{ ba: "xy" }, true],
      [{ xy: "ba" }, true],
      [{ xy: "xy" }, false],
      [{ A: "xy" }, true],
      [{ xy: "A" }, true],
    ]);
    table('"country code"', [[{ description: "bad Country Code here" }, true]]);
  });

  it("a regexp searches keys and values, case-sensitive unless /i", () => {
    table("/a/", [
      [{ a: "xy" }, true],
      [{ xy: "ba" }, true],
      [{ xy: "xy" }, false],
      [{ A: "xy" }, false],
      [{ xy: "A" }, false],
    ]);
    table("/a/i", [[{ xy: "A" }, true]]);
  });

  // rules.py Fuzzy.match_with_cache tests every key too, whatever the atom.
  it("an IP range or domain alone tests keys and values like `in`", () => {
    table("192.0.2.0/24", [
      [{ ip: "192.0.2.7" }, true],
      [{ "192.0.2.7": "x" }, true],
      [{ ip: "198.51.100.1" }, false],
    ]);
    table("example.com", [
      [{ url: "www.example.com" }, true],
      [{ "example.com": "x" }, true],
      [{ url: "notexample.com" }, false],
    ]);
    table('"example.com"', [[{ "example.com": "x" }, true]]);
  });
});

describe("regular expressions", () => {
  it("search unanchored, dot matches newline", () => {
    table("url = /example/", [[{ url: "http://www.example.com/" }, true]]);
    table("url = /^example/", [[{ url: "http://www.example.com/" }, false]]);
    table("d = /a.b/", [[{ d: "a\nb" }, true]]);
    table("u = /^http:\\/\\//i", [[{ u: "HTTP://example.com" }, true]]);
    table('"email address" = /@example.com$/i', [[{ "email address": "x@EXAMPLE.COM" }, true]]);
  });

  it("take Python syntax: named groups, \\A \\Z, inline (?i), $ before a final newline", () => {
    table("x = /(?P<c>a)(?P=c)/", [
      [{ x: "baab" }, true],
      [{ x: "ab" }, false],
    ]);
    table("x = /\\Aab\\Z/", [
      [{ x: "ab" }, true],
      [{ x: "ab\n" }, false],
    ]);
    table("x = /ab$/", [
      [{ x: "ab\n" }, true],
      [{ x: "ab\nc" }, false],
    ]);
    table("x = /(?i)abc/", [[{ x: "ABC" }, true]]);
    table("x = /[]a]/", [[{ x: "]" }, true]]);
  });
});
