import { describe, expect, it } from "vitest";
import { Event } from "../event.js";
import type { RuleNode } from "./ast.js";
import { compileRule, parseRule, ruleEquals, walkRule } from "./index.js";

describe("walkRule", () => {
  it("visits parents before children with their ancestors", () => {
    const seen: string[] = [];
    walkRule(parseRule("asn = 64496 and (ip in 192.0.2.0/24 or no type = scanner)"), (node, up) => {
      const under = up.map((n) => n.type).join(">");
      seen.push(`${under}|${node.type}${node.type === "match" ? `:${node.key}` : ""}`);
    });
    expect(seen).toEqual([
      "|and",
      "and|match:asn",
      "and|or",
      "and>or|match:ip",
      "and>or|no",
      "and>or>no|match:type",
    ]);
  });

  it("skips the children of a node when the visitor returns false", () => {
    const seen: string[] = [];
    walkRule(parseRule("a = 1 and no (b = 2 or c = 3)"), (node) => {
      seen.push(node.type);
      return node.type !== "no";
    });
    expect(seen).toEqual(["and", "match", "no"]);
  });

  it("exposes what an index needs: key, IP bounds, plain value", () => {
    const found: unknown[] = [];
    walkRule(parseRule("ip in 192.0.2.0/24 and asn = 64496"), (node) => {
      if (node.type === "match") found.push([node.key, node.value]);
    });
    expect(found).toEqual([
      ["ip", { kind: "ip", version: 4, first: "192.0.2.0", last: "192.0.2.255" }],
      ["asn", { kind: "string", value: "64496" }],
    ]);
  });
});

describe("compileRule", () => {
  it("builds a rule from a tree without any text to inject into", () => {
    const range = "192.0.2.0/24 or * = *"; // a hostile runtime value stays a value
    const rule = compileRule({ type: "match", key: "ip", value: { kind: "string", value: range } });
    expect(rule.match(new Event({ ip: "192.0.2.1" }))).toBe(false);
    expect(rule.match(new Event({ ip: range }))).toBe(true);
  });

  it("stores the canonical form, so equal rules compare equal", () => {
    const built = compileRule({
      type: "and",
      rules: [
        {
          type: "match",
          key: "ip",
          value: { kind: "ip", version: 6, first: "2001:DB8::", last: "2001:db8:0:0:0:0:0:ff" },
        },
        {
          type: "match",
          key: "d",
          value: { kind: "domain", wildcards: 0, labels: ["BÜCHER", "example"] },
        },
        { type: "match", key: "u", value: { kind: "regexp", pattern: "a\\/b", ignoreCase: false } },
      ],
    });
    expect(
      ruleEquals(
        built,
        parseRule("ip in 2001:db8::/120 and d in xn--bcher-kva.example and u = /a\\/b/"),
      ),
    ).toBe(true);
  });

  it("rejects malformed trees with a TypeError naming the node", () => {
    const bad: unknown[] = [
      { type: "and", rules: [{ type: "anything" }] },
      { type: "match", key: 1, value: null },
      { type: "fuzzy", atom: { kind: "regexp", pattern: "a(", ignoreCase: false } },
      { type: "fuzzy", atom: { kind: "ip", version: 4, first: "192.0.2.1", last: "2001:db8::" } },
      { type: "fuzzy", atom: { kind: "domain", wildcards: 0, labels: ["example"] } },
      { type: "maybe" },
    ];
    for (const node of bad) {
      expect(() => compileRule(node as RuleNode), JSON.stringify(node)).toThrow(TypeError);
    }
  });
});
