import { describe, expect, it } from "vitest";
import type { Atom, RuleNode } from "./ast.js";
import { compileRule, formatRule, parseRule, ruleEquals } from "./index.js";

// One rule text per construct; each must format to text that parses back to an equal rule.
const RULES = [
  "*",
  "* = *",
  "* != *",
  "a = *",
  "* = b",
  "a != b",
  "a == b",
  '"domain name" = example.com',
  '"as name" = "Example \\"Networks\\" Ltd"',
  'a = "line\\nbreak\\ttab\\\\ \\u00e4 \\ud800"',
  'a = ""',
  "a = /b/",
  "a = /^http:\\/\\//i",
  "a = /[\\/]x\\\\/",
  "a = /a\\\\\\/b/",
  "ip in 192.0.2.0/24",
  "ip in 192.0.2.1",
  "ip in 192.0.2.1-192.0.2.9",
  "ip not in 198.51.100.0/25",
  "ip in 2001:db8::/32",
  "ip in 2001:db8::1-2001:db8::9",
  "ip in ::ffff:192.0.2.1",
  '"domain name" in example.com',
  '"domain name" not in *.*.example.com',
  '"domain name" in bücher.example',
  "x in xn--bcher-kva.example",
  "a",
  '"a b"',
  '"example.com"',
  '"192.0.2.1"',
  '"no"',
  '"AND" and "or"',
  "/a|b|c/",
  "192.0.2.0/24",
  "example.com",
  "2001:db8::/32",
  "* in *.example.com",
  '"a.b" = c',
  "no a = b",
  "no no a",
  "no (a or b)",
  "no *",
  "a and b and c",
  "a or b or c",
  "a and (b and c)",
  "(a and b) or c",
  "a and b or c",
  "a or b and c or d",
  "(a = 1 or b = 2) and no (c in 192.0.2.0/24 or d = /x/i) and e",
  '"no" = x and "in" in 192.0.2.1 and "not" != y',
  '"192.0.2.1" = x',
  "a and (x or example.com )",
  "no (x or no example.com )",
];

describe("formatRule", () => {
  it.each(RULES)("round-trips %s", (text) => {
    const rule = parseRule(text);
    const formatted = formatRule(rule);
    const again = parseRule(formatted);
    expect(ruleEquals(again, rule), `${text} → ${formatted}`).toBe(true);
    expect(formatRule(again)).toBe(formatted);
  });

  it("writes rules the way an operator would", () => {
    expect(formatRule(parseRule("asn=64496 AND type=scanner"))).toBe(
      "asn = 64496 and type = scanner",
    );
    expect(formatRule(parseRule("a=a and b=b or c=c"))).toBe("a = a and (b = b or c = c)");
    expect(formatRule(parseRule("ip in 192.0.2.0-192.0.2.255"))).toBe("ip in 192.0.2.0/24");
    expect(formatRule(parseRule("ip in 2001:DB8:0:0::/32"))).toBe("ip in 2001:db8::/32");
    expect(formatRule(parseRule("x in XN--BCHER-KVA.Example"))).toBe("x in bücher.example");
  });

  // abusehelper/core/rules/tests/test_rulelang.py TestFormat
  it("escapes unescaped slashes in regexps and leaves escaped ones", () => {
    const fuzzyRegexp = (pattern: string): RuleNode => ({
      type: "fuzzy",
      atom: { kind: "regexp", pattern, ignoreCase: false },
    });
    expect(formatRule(fuzzyRegexp("a|b|c"))).toBe("/a|b|c/");
    expect(formatRule(fuzzyRegexp("\\\\\\//"))).toBe("/\\\\\\/\\//");
    expect(formatRule(fuzzyRegexp("^http://"))).toBe("/^http:\\/\\//");
  });

  it("formats domain matches with `in`, where AbuseHelper wrote `=`", () => {
    const text = formatRule(parseRule('"domain name" in example.com'));
    expect(text).toBe('"domain name" in example.com');
    expect(parseRule(text).node).toEqual(parseRule('"domain name" in example.com').node);
  });

  it("quotes words that bare would read as something else", () => {
    const fuzzy = (value: string): RuleNode => ({ type: "fuzzy", atom: { kind: "string", value } });
    const match = (key: string, value: Atom | null): RuleNode => ({ type: "match", key, value });
    const cases: [RuleNode, string][] = [
      [fuzzy("example.com"), '"example.com"'],
      [fuzzy("192.0.2.1"), '"192.0.2.1"'],
      [fuzzy("no"), '"no"'],
      [fuzzy(""), '""'],
      [fuzzy("*"), '"*"'],
      [fuzzy("a=b"), '"a=b"'],
      [fuzzy("bell\u0007"), '"bell\\u0007"'],
      [fuzzy("\ud800"), '"\\ud800"'],
      [match("in", null), '"in" = *'],
      [match("*", { kind: "string", value: "*" }), '"*" = "*"'],
      [match("url", { kind: "string", value: "http://x" }), 'url = "http://x"'],
      [match("x", { kind: "string", value: "no" }), "x = no"],
      // Bare, these keys would read as a domain or an IP and fail (fuzzy.test.ts).
      [match("a.b", { kind: "string", value: "c" }), '"a.b" = c'],
      [match("192.0.2.1x", null), '"192.0.2.1x" = *'],
      [match("a.1", null), "a.1 = *"],
    ];
    for (const [node, want] of cases) {
      expect(formatRule(node)).toBe(want);
      expect(ruleEquals(parseRule(want), node), want).toBe(true);
    }
  });

  it("round-trips trees built in code, JSON included", () => {
    const node: RuleNode = {
      type: "or",
      rules: [
        { type: "and", rules: [{ type: "anything" }, { type: "match", key: "a", value: null }] },
        {
          type: "no",
          rule: {
            type: "match",
            key: null,
            value: { kind: "domain", wildcards: 2, labels: ["example"] },
          },
        },
      ],
    };
    const rule = compileRule(node);
    expect(formatRule(rule)).toBe("(* and a = *) or no * in *.*.example");
    expect(ruleEquals(parseRule(formatRule(rule)), rule)).toBe(true);
    const revived = compileRule(JSON.parse(JSON.stringify(rule)) as RuleNode);
    expect(ruleEquals(revived, rule)).toBe(true);
  });

  it("writes an IPv4-mapped address alone in hex, which AbuseHelper's token reads whole", () => {
    const mapped = parseRule("x in ::ffff:192.0.2.1").node;
    const atom = mapped.type === "match" ? mapped.value : null;
    const text = formatRule({ type: "fuzzy", atom: atom as Atom });
    expect(text).toBe("::ffff:c000:201");
    expect(parseRule(text).node).toEqual({ type: "fuzzy", atom });
  });

  it("keeps a space between a domain alone and ')', or it would read back as a word", () => {
    expect(formatRule(parseRule("a and (x or example.com )"))).toBe("a and (x or example.com )");
    expect(formatRule(parseRule("a and (x or (example.com))"))).toBe('a and (x or "example.com")');
  });

  it("refuses a tree no rule text can write: a wildcard domain alone", () => {
    const node: RuleNode = {
      type: "fuzzy",
      atom: { kind: "domain", wildcards: 1, labels: ["example", "com"] },
    };
    expect(() => compileRule(node)).toThrow(/wildcards cannot stand alone/);
  });
});

describe("ruleEquals", () => {
  it("ignores order and repeats of and/or operands, as AbuseHelper's frozenset does", () => {
    expect(ruleEquals(parseRule("a and b"), parseRule("b and a"))).toBe(true);
    expect(ruleEquals(parseRule("a or a or b"), parseRule("b or a"))).toBe(true);
  });

  it("tells different rules apart", () => {
    const different: [string, string][] = [
      ["a and b", "a or b"],
      ["a and (b and c)", "a and b and c"],
      ["a = b", "a != b"],
      ["a = b", "a = /b/"],
      ["a = /b/", "a = /b/i"],
      ["a in 192.0.2.0/24", "a in 192.0.2.0/25"],
      ["a in example.com", "a in *.example.com"],
      ["*", "* = *"],
      ["a", '"a" = *'],
      ["no a", "a"],
    ];
    for (const [x, y] of different)
      expect(ruleEquals(parseRule(x), parseRule(y)), `${x} vs ${y}`).toBe(false);
  });
});
