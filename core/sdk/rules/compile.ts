// Rule trees to closures. Routing runs a rule on every event, so each node becomes one small
// function specialised for its shape; the common `key = value` is a set lookup.
// Semantics: abusehelper/core/rules/rules.py (Match, NonMatch, Fuzzy, And, Or, No, Anything).
import type { Atom, MatchNode, RuleNode } from "./ast.js";
import type { Event } from "../event.js";
import { parseName, patternContains } from "./domain.js";
import { atomToRange, contains, parseValueRange } from "./iprange.js";
import { compilePattern, escapeLiteral, linearPattern } from "./regexp.js";

export type Matcher = (event: Event) => boolean;

export interface CompileOptions {
  /**
   * Run regexps on a linear-time engine (RE2, regexp.ts linearPattern): for rules from people
   * who should not be able to freeze the process with `/(a+)+$/` (chat questions).
   */
  linear?: boolean;
}
type ValueTest = (value: string) => boolean;

export function compileNode(node: RuleNode, opts: CompileOptions = {}): Matcher {
  const sub = (n: RuleNode) => compileNode(n, opts);
  switch (node.type) {
    case "anything":
      return () => true;
    case "fuzzy":
      return compileFuzzy(node.atom, opts);
    case "match":
    case "nonmatch":
      return compileMatch(node, opts);
    case "and":
      return compileAnd(node.rules.map(sub));
    case "or":
      return compileOr(node.rules.map(sub));
    case "no": {
      const inner = sub(node.rule);
      return (event) => !inner(event);
    }
  }
}

/** What one value must satisfy: strings equal exactly (case-sensitive), the rest as named. */
function valueTest(atom: Atom, opts: CompileOptions): ValueTest {
  switch (atom.kind) {
    case "string": {
      const want = atom.value;
      return (value) => value === want;
    }
    case "regexp": {
      if (opts.linear === true) return linearPattern(atom.pattern, atom.ignoreCase);
      const rex = compilePattern(atom.pattern, atom.ignoreCase);
      return (value) => rex.test(value);
    }
    case "ip": {
      const range = atomToRange(atom);
      return (value) => {
        const other = cachedRange(value);
        return other !== null && contains(range, other);
      };
    }
    case "domain":
      return (value) => {
        const name = parseName(value);
        return name !== null && patternContains(atom, name);
      };
  }
}

/**
 * `k = v` is true when some value of k passes, `k != v` when some value fails (so both are false
 * without k). A `*` value passes every value for both, as in rules.py, so `k != *` means
 * "k has a value" just like `k = *`.
 */
function compileMatch(node: MatchNode, opts: CompileOptions): Matcher {
  const negate = node.type === "nonmatch";
  const { key, value } = node;
  if (value === null) {
    return key === null ? (event) => event.size > 0 : (event) => event.valueSet(key) !== undefined;
  }
  if (key !== null && value.kind === "string") {
    const want = value.value;
    if (!negate) return (event) => event.valueSet(key)?.has(want) ?? false;
    return (event) => {
      const set = event.valueSet(key);
      return set !== undefined && (set.size > 1 || !set.has(want));
    };
  }
  const test = valueTest(value, opts);
  const passes: ValueTest = negate ? (v) => !test(v) : test;
  if (key !== null) {
    return (event) => {
      const set = event.valueSet(key);
      return set !== undefined && some(set, passes);
    };
  }
  return (event) => {
    for (const [, set] of event.entries()) if (some(set, passes)) return true;
    return false;
  };
}

/**
 * A value pattern alone (rules.py Fuzzy): true when some key or some value matches it. Strings
 * are searched ignoring case; regexps, IP ranges and domain patterns test as after `=` or `in`,
 * so `example.com` also matches an event with a key `www.example.com`.
 */
function compileFuzzy(atom: Atom, opts: CompileOptions): Matcher {
  const test = atom.kind === "string" ? substringTest(atom.value) : valueTest(atom, opts);
  return (event) => {
    for (const [key, set] of event.entries()) if (test(key) || some(set, test)) return true;
    return false;
  };
}

// Python's re.I | re.U folds case per character like the u and i flags do; toLowerCase does not.
function substringTest(text: string): ValueTest {
  const rex = new RegExp(escapeLiteral(text), "iu");
  return (value) => rex.test(value);
}

function compileAnd(parts: Matcher[]): Matcher {
  const [a, b] = parts;
  if (parts.length === 2 && a && b) return (event) => a(event) && b(event);
  return (event) => parts.every((part) => part(event));
}

function compileOr(parts: Matcher[]): Matcher {
  const [a, b] = parts;
  if (parts.length === 2 && a && b) return (event) => a(event) || b(event);
  return (event) => parts.some((part) => part(event));
}

// Routing tries several IP rules on the same values; parsing an address costs far more than a
// map lookup, so parsed values are kept in a bounded cache shared by all rules.
const RANGE_CACHE_MAX = 50_000;
let rangeCache = new Map<string, ReturnType<typeof parseValueRange>>();

function cachedRange(value: string): ReturnType<typeof parseValueRange> {
  let range = rangeCache.get(value);
  if (range === undefined) {
    range = parseValueRange(value);
    if (rangeCache.size >= RANGE_CACHE_MAX) rangeCache = new Map();
    rangeCache.set(value, range);
  }
  return range;
}

function some(values: ReadonlySet<string>, test: ValueTest): boolean {
  for (const value of values) if (test(value)) return true;
  return false;
}
