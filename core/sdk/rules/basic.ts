// The smallest rules: `*`, `key = value`, `key in range` and their negations, and a value
// pattern alone (fuzzy). Mirrors `basic`, `match_tail` and `non_match_tail` in
// abusehelper/core/rules/rulelang.py, ordered choice included: `*`, then a /regexp/, an IP range
// or a domain pattern alone (fuzzy.ts), then a string with or without a match tail. A reading
// that wins is kept even when the rest cannot follow it, so a key that looks like an IP or a
// domain must be quoted (`"a.b" = c`); the error says so. After `in` we are more lenient than
// AbuseHelper (see scanRange).
import type { Atom, MatchNode, RuleNode } from "./ast.js";
import { scanDomainPattern } from "./domain.js";
import { fail, RuleSyntaxError } from "./errors.js";
import { scanFuzzyAtom } from "./fuzzy.js";
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
  if (text[pos] === "*") return parseMatch(text, pos + 1, null) ?? anything(text, pos);
  const rex = scanRegExp(text, pos);
  if (rex !== null) return { value: { type: "fuzzy", atom: rex.value }, end: rex.end };
  const atom = scanFuzzyAtom(text, pos);
  if (atom !== null) {
    standAlone(text, pos, atom);
    return { value: { type: "fuzzy", atom: atom.value }, end: atom.end };
  }
  const key = scanString(text, pos);
  if (key === null) return null;
  return (
    parseMatch(text, key.end, key.value) ?? {
      value: { type: "fuzzy", atom: { kind: "string", value: key.value } },
      end: key.end,
    }
  );
}

/** `*` alone: any event. `*.example.com` is no rule there either; say what to write instead. */
function anything(text: string, pos: number): Scanned<RuleNode> {
  const domain = text[pos + 1] === "." ? scanDomainPattern(text, pos) : null;
  if (domain !== null) {
    const pattern = text.slice(pos, domain.end);
    fail(
      text,
      pos + 1,
      "an operator or the end of the rule after '*'",
      `'*' alone matches every event (as in AbuseHelper), so a wildcard domain pattern ` +
        `needs a key: * in ${pattern}`,
    );
  }
  return { value: { type: "anything" }, end: pos + 1 };
}

/**
 * An IP range or domain pattern read alone must end there, as in AbuseHelper: fail with a hint
 * when it is followed by an operator (it was meant as a key) or by more of a word.
 */
function standAlone(text: string, pos: number, atom: Scanned<Atom>): void {
  const word = text.slice(pos, atom.end);
  const what = `${atom.value.kind === "ip" ? "the IP address" : "the domain name"} ${word}`;
  if (operatorAt(text, atom.end) !== null) {
    fail(
      text,
      skipWs(text, atom.end),
      `'and' or 'or' after ${what}`,
      `a key that looks like a domain name or IP address must be quoted: ${quotedKey(text, word, atom.end)}`,
    );
  }
  if (!isBoundary(text, atom.end)) {
    const whole = /[^ \t\n\r)]*/y;
    whole.lastIndex = pos;
    fail(
      text,
      atom.end,
      `whitespace, ')' or the end of the rule after ${what}`,
      `to search for the text, quote it: ${JSON.stringify(whole.exec(text)?.[0] ?? word)}`,
    );
  }
}

/** `"a.b" = c` for `a.b = c`: the match as written, with the key quoted. */
function quotedKey(text: string, key: string, end: number): string {
  try {
    const match = parseMatch(text, end, key);
    if (match !== null) return JSON.stringify(key) + text.slice(end, match.end);
  } catch (err) {
    if (!(err instanceof RuleSyntaxError)) throw err;
  }
  return `${JSON.stringify(key)}${text.slice(end, skipWs(text, end))}${operatorAt(text, end)?.text ?? "="} …`;
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
