// Rule trees to Mango selectors (CouchDB `_find`; also served by PouchDB): push down the parts
// of a rule that the store's flat indexed fields can answer, so `_find` reads few documents.
// The selector is a sound over-approximation of the rule; the caller always filters the results
// with Rule.match, and `exact` says whether that filter can reject anything.
import type { Atom, MatchNode, Rule, RuleNode } from "../../core/index.js";
import { INDEXED_KEYS as STORE_KEYS } from "./views.js";

/**
 * The event keys the store keeps as flat fields holding all their values (store.ts). The
 * document's `time` is one value (the earliest), so a rule on the `time` key is filtered only.
 */
export const INDEXED_KEYS: readonly string[] = STORE_KEYS;

export type Selector = Record<string, unknown>;

/**
 * How a flat field holds the key's values: `scalar` (one string; events with several values
 * of the key have the field as an array, which `$elemMatch` cannot reach through a scalar
 * index) or `array` (every value, always a list).
 */
export type FieldShape = "scalar" | "array";

export interface Translation {
  /** Mango selector; `{}` when nothing of the rule could be pushed down. */
  selector: Selector;
  /** True when every document the selector finds matches the rule. */
  exact: boolean;
}

interface Pushed {
  selector: Selector | null;
  exact: boolean;
}

/** Translate the indexed parts of a rule to a Mango selector (see the file comment). */
export function ruleToSelector(rule: Rule | RuleNode, shape: FieldShape = "scalar"): Translation {
  const node = "node" in rule ? rule.node : rule;
  const out = push(node, shape);
  return { selector: out.selector ?? {}, exact: out.exact };
}

/** `selector AND time >= since [AND time <= before]`: every question is bounded in time. */
export function withTimeBound(selector: Selector, since: string, before?: string): Selector {
  const time: Record<string, string> = { $gte: since };
  if (before !== undefined) time.$lte = before;
  const bound = { time };
  if (Object.keys(selector).length === 0) return bound;
  // Flat: PouchDB's selector code fails on $and nested in $and in $and (the store adds one).
  const only = Object.keys(selector).length === 1 ? selector.$and : undefined;
  return { $and: [bound, ...(Array.isArray(only) ? (only as Selector[]) : [selector])] };
}

/**
 * An equality on an indexed key that every document of an array-shaped selector must satisfy:
 * the selector itself or a conjunct of its top-level `$and` is `{key: {$elemMatch: {$eq: v}}}`
 * (what `key = value` translates to). The value index can answer it (store.ts findByValue).
 */
export function indexedEquality(selector: Selector): { key: string; value: string } | undefined {
  const entries = Object.entries(selector);
  if (entries.length !== 1) return undefined;
  const [key, cond] = entries[0]!;
  if (key === "$and" && Array.isArray(cond)) {
    for (const part of cond as Selector[]) {
      const found = indexedEquality(part);
      if (found) return found;
    }
    return undefined;
  }
  if (!INDEXED_KEYS.includes(key) || typeof cond !== "object" || cond === null) return undefined;
  const inner = (cond as Record<string, unknown>).$elemMatch;
  if (typeof inner !== "object" || inner === null || Object.keys(inner).length !== 1) {
    return undefined;
  }
  const value = (inner as Record<string, unknown>).$eq;
  return typeof value === "string" ? { key, value } : undefined;
}

const NOTHING: Pushed = { selector: null, exact: false };

function push(node: RuleNode, shape: FieldShape): Pushed {
  switch (node.type) {
    case "anything":
      return { selector: null, exact: true };
    case "match":
      return pushMatch(node, shape);
    case "and": {
      const parts = node.rules.map((r) => push(r, shape));
      const selectors = parts.flatMap((p) => (p.selector ? [p.selector] : []));
      const exact = parts.every((p) => p.exact);
      if (selectors.length === 0) return { selector: null, exact };
      return { selector: selectors.length === 1 ? selectors[0]! : { $and: selectors }, exact };
    }
    case "or": {
      const parts = node.rules.map((r) => push(r, shape));
      // One branch that constrains nothing lets any document through.
      if (parts.some((p) => p.selector === null)) {
        return { selector: null, exact: parts.every((p) => p.exact) && parts.length > 0 };
      }
      return {
        selector: { $or: parts.map((p) => p.selector) },
        exact: parts.every((p) => p.exact),
      };
    }
    // `k != v` is true when *some* value differs, `no x` negates: neither narrows soundly.
    case "nonmatch":
    case "no":
    case "fuzzy":
      return NOTHING;
  }
}

function pushMatch(node: MatchNode, shape: FieldShape): Pushed {
  const { key, value } = node;
  if (key === null || !INDEXED_KEYS.includes(key)) return NOTHING;
  if (value === null) return { selector: { [key]: { $exists: true } }, exact: true };
  const cond = condition(key, value);
  if (cond === null) return NOTHING;
  return { selector: field(key, cond.test, shape), exact: cond.exact };
}

function field(key: string, test: unknown, shape: FieldShape): Selector {
  if (shape === "scalar") return { [key]: test };
  const inner = typeof test === "string" ? { $eq: test } : test;
  return { [key]: { $elemMatch: inner } };
}

/** The Mango test for one value atom, or null when it cannot be pushed down soundly. */
function condition(key: string, atom: Atom): { test: unknown; exact: boolean } | null {
  switch (atom.kind) {
    case "string":
      return { test: atom.value, exact: true };
    case "ip":
      return key === "ip" ? ipCondition(atom.first, atom.last, atom.version) : null;
    // Python regex syntax and case folding differ from both Mango engines (PCRE in CouchDB,
    // JS in PouchDB); IDN and case make domain suffixes unsafe on raw strings: filter instead.
    case "regexp":
    case "domain":
      return null;
  }
}

/**
 * An IPv4 range as a string range on the `ip` field. Addresses are kept as text, so numeric
 * ranges are not string ranges; but every address under an octet-aligned prefix starts with
 * the same text (`192.0.2.`), and a prefix is a string range (`"192.0.2." < s < "192.0.2/"`,
 * as `/` follows `.`), which an index can answer. Other ranges use their longest common octet
 * prefix and are filtered afterwards. IPv6 text has many spellings: never pushed down.
 */
function ipCondition(first: string, last: string, version: 4 | 6) {
  if (version === 6) return null;
  if (first === last) return { test: first, exact: true };
  const a = first.split(".");
  const b = last.split(".");
  let same = 0;
  while (same < 4 && a[same] === b[same]) same++;
  if (same === 0) return null;
  const prefix = a.slice(0, same).join(".") + ".";
  const aligned = a.slice(same).every((o) => o === "0") && b.slice(same).every((o) => o === "255");
  // Values that are ranges themselves (`192.0.2.0/25`) also start with the prefix; the
  // matcher decides those, so an aligned prefix is exact for plain addresses.
  return { test: { $gt: prefix, $lt: prefix.slice(0, -1) + "/" }, exact: aligned };
}
