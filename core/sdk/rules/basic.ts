// The smallest rules: `*`, `key = value`, `key in range` and their negations, and a value
// pattern alone (fuzzy). Mirrors `basic`, `match_tail` and `non_match_tail` in
// abusehelper/core/rules/rulelang.py, with one deliberate difference: where AbuseHelper's
// ordered choice commits to a reading that cannot finish (`192.0.2.1 = x`, `*.example.com`,
// `feed.example in 192.0.2.0/24`), we try the next reading instead of failing. Rules
// AbuseHelper accepts read the same here, but for a domain right before ")" (see domain.ts).
import type { Atom, MatchNode, RuleNode } from "./ast.js";
import { scanDomainPattern } from "./domain.js";
import { fail } from "./errors.js";
import { rangeToAtom, scanIpRange } from "./iprange.js";
import {
  isBoundary,
  isWs,
  keywordAt,
  scanRegExp,
  scanString,
  skipWs,
  type Scanned,
} from "./scanner.js";

type MatchType = MatchNode["type"];

interface Operator {
  readonly type: MatchType;
  readonly text: string; // as written, for messages
  readonly kind: "equals" | "in";
  readonly end: number; // offset after the operator
}

/** A basic rule at `pos`, or null when none starts there. */
export function parseBasic(text: string, pos: number): Scanned<RuleNode> | null {
  if (text[pos] === "*") {
    const match = parseMatch(text, pos + 1, null);
    if (match !== null) return match;
    if (isBoundary(text, pos + 1)) return { value: { type: "anything" }, end: pos + 1 };
  }
  const key = scanString(text, pos);
  if (key !== null) {
    const match = parseMatch(text, key.end, key.value);
    if (match !== null) return match;
  }
  const atom = scanRegExp(text, pos) ?? scanFuzzyAtom(text, pos);
  if (atom !== null) return { value: { type: "fuzzy", atom: atom.value }, end: atom.end };
  if (key === null) return null;
  return { value: { type: "fuzzy", atom: { kind: "string", value: key.value } }, end: key.end };
}

function parseMatch(text: string, pos: number, key: string | null): Scanned<RuleNode> | null {
  const op = operatorAt(text, pos);
  if (op === null) return null;
  const start = skipWs(text, op.end);
  const value = op.kind === "equals" ? scanValue(text, start) : scanRange(text, start);
  if (value === null || (op.kind === "in" && start === op.end)) {
    const what = op.kind === "equals" ? "a value" : "an IP address, IP range or domain name";
    return fail(text, start, `${what} after '${op.text}'`);
  }
  return { value: { type: op.type, key, value: value.value }, end: value.end };
}

/**
 * The operator after a key: `=`, `==`, `!=` (spaces optional) or ` in `, ` not in ` (spaces
 * required). An `in` at the very end is still read as one, so the error can name what is missing.
 */
function operatorAt(text: string, pos: number): Operator | null {
  const at = skipWs(text, pos);
  for (const [sign, type] of [
    ["==", "match"],
    ["=", "match"],
    ["!=", "nonmatch"],
  ] as const) {
    if (text.startsWith(sign, at))
      return { type, text: sign, kind: "equals", end: at + sign.length };
  }
  if (at === pos) return null;
  if (wordAt(text, at, "in")) return { type: "match", text: "in", kind: "in", end: at + 2 };
  const after = skipWs(text, at + 3);
  if (wordAt(text, at, "not") && after > at + 3 && wordAt(text, after, "in")) {
    return { type: "nonmatch", text: "not in", kind: "in", end: after + 2 };
  }
  return null;
}

function wordAt(text: string, pos: number, word: string): boolean {
  const end = pos + word.length;
  return keywordAt(text, pos, word) && (end >= text.length || isWs(text[end]));
}

/** The value after `=`/`!=`: `*` (any value), a /regexp/ or a string. */
function scanValue(text: string, pos: number): Scanned<Atom | null> | null {
  if (text[pos] === "*") return { value: null, end: pos + 1 };
  const rex = scanRegExp(text, pos);
  if (rex !== null) return rex;
  const str = scanString(text, pos);
  return str && { value: { kind: "string", value: str.value }, end: str.end };
}

/**
 * The value after `in`: an IP range, else a domain pattern. An IP followed by more name
 * (`192.0.2.1.example`) is read as a domain, where AbuseHelper would stop and fail.
 */
function scanRange(text: string, pos: number): Scanned<Atom> | null {
  const ip = scanIpRange(text, pos);
  if (ip !== null && isBoundary(text, ip.end)) return { value: rangeToAtom(ip.range), end: ip.end };
  const domain = scanDomainPattern(text, pos);
  if (domain !== null) return { value: domain.atom, end: domain.end };
  return ip && { value: rangeToAtom(ip.range), end: ip.end };
}

/**
 * An IP range or domain pattern standing alone. It must end at a token boundary and not be
 * followed by an operator, or it is the key of a match (or garbage) instead.
 */
function scanFuzzyAtom(text: string, pos: number): Scanned<Atom> | null {
  const ip = scanIpRange(text, pos);
  if (ip !== null && standsAlone(text, ip.end)) {
    return { value: rangeToAtom(ip.range), end: ip.end };
  }
  const domain = scanDomainPattern(text, pos);
  if (domain !== null && standsAlone(text, domain.end)) {
    return { value: domain.atom, end: domain.end };
  }
  return null;
}

function standsAlone(text: string, end: number): boolean {
  return isBoundary(text, end) && operatorAt(text, end) === null;
}
