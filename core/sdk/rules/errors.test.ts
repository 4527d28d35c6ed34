import { describe, expect, it } from "vitest";
import { MAX_DEPTH, parseRule, RuleSyntaxError } from "./index.js";

function syntaxError(text: string): RuleSyntaxError {
  try {
    parseRule(text);
  } catch (err) {
    if (err instanceof RuleSyntaxError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(text)} parsed`);
}

describe("RuleSyntaxError", () => {
  it("says what was expected, where (1-based) and in which rule", () => {
    const err = syntaxError("asn = ");
    expect(err.message).toBe(`rule: expected a value after '=' at position 7: "asn = "`);
    expect(err.position).toBe(7);
    expect(err.expected).toBe("a value after '='");
    expect(err.text).toBe("asn = ");
  });

  it.each([
    ["(a = b", 7, "')' (the '(' at position 1 is not closed)"],
    ["(a = b and (c = d)", 19, "')' (the '(' at position 1 is not closed)"],
    ["(a = b c", 8, "'and', 'or' or ')' (the '(' at position 1 is not closed)"],
    ["a = b)", 6, "the end of the rule (this ')' has no '(')"],
    ["a = b c", 7, "'and', 'or' or the end of the rule"],
    ["asn = 64496 type = scanner", 13, "'and', 'or' or the end of the rule"],
    ["", 1, "a rule"],
    ["   ", 4, "a rule"],
    ["()", 2, "a rule before ')'"],
    ["a and", 6, "a rule after 'and'"],
    ["a or ", 6, "a rule after 'or'"],
    ["a != ", 6, "a value after '!='"],
    ["a = *b", 6, "'and', 'or' or the end of the rule"],
    ["ip in", 6, "an IP address, IP range or domain name after 'in'"],
    ["ip in nonsense", 7, "an IP address, IP range or domain name after 'in'"],
    ["ip in 192.0.2.0/33", 7, "an IP address, IP range or domain name after 'in'"],
    ["ip not in 2001:db8::/129", 11, "an IP address, IP range or domain name after 'not in'"],
    ['a = "abc', 9, "'\"' (the string at position 5 is not closed)"],
    ['a = "a\\x"', 7, 'an escape \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX'],
    ['a = "tab\there"', 9, "no raw control character in a quoted string (use \\n, \\t…)"],
    ["url = /abc", 11, "'/' (the regular expression at position 7 is not closed)"],
  ])("rejects %j at position %i", (text, position, expected) => {
    const err = syntaxError(text);
    expect({ position: err.position, expected: err.expected }).toEqual({ position, expected });
  });

  it("rejects a regular expression that does not compile, naming the reason", () => {
    const err = syntaxError("url = /a(/");
    expect(err.position).toBe(7);
    expect(err.expected).toMatch(/^a valid regular expression \(.*group.*\)$/i);
  });

  it("rejects Python regex features JavaScript cannot do", () => {
    expect(syntaxError("/(?x) a b/").expected).toMatch(/inline flag \(\?x\)/);
  });

  it("shortens long rules in the message around the position", () => {
    const text = `${"a = b and ".repeat(20)}c = `;
    const err = syntaxError(text);
    expect(err.position).toBe(text.length + 1);
    expect(err.message).toMatch(/^rule: expected a value after '=' at position 205: …".*c = "$/);
  });

  it("rejects nesting deeper than MAX_DEPTH instead of overflowing the stack", () => {
    const deep = `${"(".repeat(MAX_DEPTH + 1)}a${")".repeat(MAX_DEPTH + 1)}`;
    expect(syntaxError(deep).expected).toBe(`at most ${MAX_DEPTH} levels of nesting`);
    const alternating = Array.from({ length: MAX_DEPTH + 5 }, (_, i) => `k${i} = v`).join(" and ");
    const mixed = alternating.replace(/ and (k\d*[13579] )/g, " or $1");
    expect(syntaxError(mixed).expected).toBe(`at most ${MAX_DEPTH} levels of nesting`);
    expect(parseRule(`${"no ".repeat(MAX_DEPTH)}a`).toString()).toHaveLength(3 * MAX_DEPTH + 1);
  });
});
