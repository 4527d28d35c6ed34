import { describe, expect, it } from "vitest";
import { lintRule, parseRule, RuleSyntaxError } from "./index.js";

describe("lintRule", () => {
  it("warns where one level mixes and/or, pointing at the switch and showing the reading", () => {
    expect(lintRule("a=a and b=b or c=c")).toEqual([
      {
        position: 13,
        suggestion: "a = a and (b = b or c = c)",
        message:
          "rule: 'and' and 'or' mixed without parentheses at position 13; they have no " +
          "precedence, this reads as: a = a and (b = b or c = c)",
      },
    ]);
    const [warning] = lintRule("asn = 64496 OR type = scanner AND cc = FI");
    expect(warning?.position).toBe(31);
    expect(warning?.suggestion).toBe("asn = 64496 or (type = scanner and cc = FI)");
  });

  it("suggests text that means the same as the original", () => {
    const text = "a = 1 or b = 2 and c = 3 or d = 4";
    const [warning] = lintRule(text);
    expect(warning).toBeDefined();
    expect(parseRule(warning?.suggestion ?? "").equals(parseRule(text))).toBe(true);
    expect(lintRule(warning?.suggestion ?? "")).toEqual([]);
  });

  it("checks each parenthesis level on its own", () => {
    const warnings = lintRule("(a and b or c) and (d or e and f) and g");
    expect(warnings.map((w) => w.position)).toEqual([10, 28]);
    expect(warnings.map((w) => w.suggestion)).toEqual(["a and (b or c)", "d or (e and f)"]);
  });

  it("is quiet on rules with one operator per level", () => {
    for (const text of [
      "a and b and c",
      "a or b or c",
      "a and (b or c)",
      "(a and b) or c",
      "no a and b",
      "no (a or b) and c",
      "*",
    ]) {
      expect(lintRule(text), text).toEqual([]);
    }
  });

  it("throws the syntax error for text that does not parse", () => {
    expect(() => lintRule("a and")).toThrow(RuleSyntaxError);
  });
});
