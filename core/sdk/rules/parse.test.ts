import { describe, expect, it } from "vitest";
import type { Atom, RuleNode } from "./ast.js";
import { compileRule, parseRule, ruleEquals } from "./index.js";

// Builders for expected trees, named after AbuseHelper's rule classes.
const str = (value: string): Atom => ({ kind: "string", value });
const atom = (value: Atom | string | null): Atom | null =>
  typeof value === "string" ? str(value) : value;
const Match = (key: string | null, value: Atom | string | null = null): RuleNode => ({
  type: "match",
  key,
  value: atom(value),
});
const NonMatch = (key: string | null, value: Atom | string | null = null): RuleNode => ({
  type: "nonmatch",
  key,
  value: atom(value),
});
const Fuzzy = (value: Atom | string): RuleNode => ({ type: "fuzzy", atom: atom(value) as Atom });
const And = (...rules: RuleNode[]): RuleNode => ({ type: "and", rules });
const Or = (...rules: RuleNode[]): RuleNode => ({ type: "or", rules });
const No = (rule: RuleNode): RuleNode => ({ type: "no", rule });
const RegExp_ = (pattern: string, ignoreCase = false): Atom => ({
  kind: "regexp",
  pattern,
  ignoreCase,
});

function expectParse(text: string, node: RuleNode): void {
  const parsed = parseRule(text);
  expect(ruleEquals(parsed, compileRule(node)), `${text} → ${parsed.toString()}`).toBe(true);
}

const a = Match("a", "a");
const b = Match("b", "b");
const c = Match("c", "c");

// Vectors from abusehelper/core/rules/tests/test_rulelang.py TestParse.
describe("parseRule: AbuseHelper's test vectors", () => {
  it("ignores extra whitespace", () => {
    expectParse("  a  ", Fuzzy("a"));
    expectParse("(  a  )", Fuzzy("a"));
  });

  it("reads runs of and as one node and keeps parenthesised groups", () => {
    expectParse("a=a and b=b and c=c", And(a, b, c));
    expectParse("a=a and (b=b and c=c)", And(a, And(b, c)));
    expectParse("(a=a and b=b) and c=c", And(And(a, b), c));
    expectParse("(a=a) and (b=b) and (c=c)", And(a, b, c));
    expectParse("(a=a)and(b=b)and(c=c)", And(a, b, c));
    expectParse("a=a and b=b and c=c or a=a and b=b", And(a, b, Or(c, And(a, b))));
  });

  it("reads runs of or as one node", () => {
    expectParse("a=a or b=b or c=c", Or(a, b, c));
    expectParse("a=a or (b=b or c=c)", Or(a, Or(b, c)));
    expectParse("(a=a or b=b) or c=c", Or(Or(a, b), c));
    expectParse("(a=a)or(b=b)or(c=c)", Or(a, b, c));
    expectParse("a=a or b=b or c=c and a=a or b=b", Or(a, b, And(c, Or(a, b))));
  });

  it("reads matches with every spelling of key and value", () => {
    expectParse("a=b", Match("a", "b"));
    expectParse("a = b", Match("a", "b"));
    expectParse("a == b", Match("a", "b"));
    expectParse('"\\u0061"="\\u0062"', Match("a", "b"));
    expectParse("a=/b/", Match("a", RegExp_("b")));
    expectParse("a=*", Match("a"));
    expectParse("*=b", Match(null, "b"));
    expectParse("*=*", Match(null));
    const ip: Atom = { kind: "ip", version: 4, first: "1.2.3.4", last: "1.2.3.4" };
    expectParse("a in 1.2.3.4", Match("a", ip));
    expectParse("a in 1.2.3.4/32", Match("a", ip));
  });

  it("reads non-matches", () => {
    expectParse("a!=b", NonMatch("a", "b"));
    expectParse("a != b", NonMatch("a", "b"));
    expectParse("a!=/b/", NonMatch("a", RegExp_("b")));
    expectParse("a!=*", NonMatch("a"));
    expectParse("*!=b", NonMatch(null, "b"));
    expectParse("*!=*", NonMatch(null));
    expectParse(
      "a not in 1.2.3.4/32",
      NonMatch("a", { kind: "ip", version: 4, first: "1.2.3.4", last: "1.2.3.4" }),
    );
  });

  it("binds no tighter than and/or and looser than =", () => {
    const x = Fuzzy("x");
    expectParse("no x", No(x));
    expectParse("no no x", No(No(x)));
    expectParse("no (no x)", No(No(x)));
    expectParse("no a=a", No(a));
    expectParse("no b!=b", No(NonMatch("b", "b")));
    expectParse("no a=a and b!=b", And(No(a), NonMatch("b", "b")));
    expectParse("no a=a or b!=b", Or(No(a), NonMatch("b", "b")));
    expectParse("no (a=a and b!=b)", No(And(a, NonMatch("b", "b"))));
  });

  it("reads fuzzy words, quoted strings with escapes, regexps and *", () => {
    expectParse("a", Fuzzy("a"));
    expectParse('" a "', Fuzzy(" a "));
    expectParse('"\\" \\/ \\r \\n \\b \\f \\uffff"', Fuzzy('" / \r \n \b \f \uffff'));
    expectParse('""', Fuzzy(""));
    expectParse("/a/", Fuzzy(RegExp_("a")));
    expectParse("/a/i", Fuzzy(RegExp_("a", true)));
    // `\/` in a literal is the slash itself (AbuseHelper keeps the backslash; same regex).
    expectParse("/\\//", Fuzzy(RegExp_("/")));
    expect(parseRule("*").node).toEqual({ type: "anything" });
  });
});

describe("parseRule: the and/or quirk", () => {
  it("reads `a and b or c` as `a and (b or c)`, not `(a and b) or c`", () => {
    expectParse("a=a and b=b or c=c", And(a, Or(b, c)));
    expectParse("a=a or b=b and c=c", Or(a, And(b, c)));
    expectParse("a=a and b=b or c=c and a=a", And(a, Or(b, And(c, a))));
  });
});

describe("parseRule: words, keys and keywords", () => {
  it("takes keywords in any case", () => {
    expectParse("NO a=a AND b=b Or c=c", And(No(a), Or(b, c)));
    expectParse(
      "ip IN 192.0.2.1",
      Match("ip", { kind: "ip", version: 4, first: "192.0.2.1", last: "192.0.2.1" }),
    );
    expectParse(
      "ip NoT iN 192.0.2.1",
      NonMatch("ip", { kind: "ip", version: 4, first: "192.0.2.1", last: "192.0.2.1" }),
    );
  });

  it("takes keys with spaces when quoted", () => {
    const domain: Atom = { kind: "domain", wildcards: 0, labels: ["example", "com"] };
    expectParse('"domain name" = example.com', Match("domain name", "example.com"));
    expectParse('"domain name" in example.com', Match("domain name", domain));
    expectParse('"as name" = "Example Networks"', Match("as name", "Example Networks"));
  });

  it("lets keyword-like words be keys and values where AbuseHelper does", () => {
    expectParse("no = yes", Match("no", "yes"));
    expectParse("nothing", Fuzzy("nothing"));
    expectParse("no", Fuzzy("no"));
    expectParse("blocked = no and a=a", And(Match("blocked", "no"), a));
  });

  it("reads a bare IP range or domain as a fuzzy pattern of that kind", () => {
    expectParse(
      "192.0.2.0/24",
      Fuzzy({ kind: "ip", version: 4, first: "192.0.2.0", last: "192.0.2.255" }),
    );
    expectParse("example.com", Fuzzy({ kind: "domain", wildcards: 0, labels: ["example", "com"] }));
    expectParse('"example.com"', Fuzzy("example.com"));
  });

  // After `in` we still read what AbuseHelper's parser rejects; alone, see fuzzy.test.ts.
  it("reads a domain after `in` right before ')' where AbuseHelper fails", () => {
    expectParse(
      '(x = y and "domain name" in example.com)',
      And(
        Match("x", "y"),
        Match("domain name", { kind: "domain", wildcards: 0, labels: ["example", "com"] }),
      ),
    );
  });
});
