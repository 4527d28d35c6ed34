// The rule tree: plain, JSON-serialisable data, one node type per AbuseHelper rule class
// (abusehelper/core/rules/rules.py: Anything, Match, NonMatch, Fuzzy, And, Or, No) and one atom
// type per value pattern (abusehelper/core/rules/atoms.py: String, RegExp, IP, DomainName).

/** An exact string: case-sensitive equality as a value, case-insensitive substring when fuzzy. */
export interface StringAtom {
  readonly kind: "string";
  readonly value: string;
}

/**
 * A regular expression in AbuseHelper (Python) syntax, searched unanchored with "dot matches
 * newline". `pattern` holds it as the regex engine reads it (`\/` written in rule text is `/`).
 */
export interface RegExpAtom {
  readonly kind: "regexp";
  readonly pattern: string;
  readonly ignoreCase: boolean;
}

/** An inclusive IP range; a single address or CIDR is a range too. Addresses in canonical form. */
export interface IpAtom {
  readonly kind: "ip";
  readonly version: 4 | 6;
  readonly first: string;
  readonly last: string;
}

/**
 * A domain name pattern: `labels` (ASCII/punycode, lower case) and all names below them;
 * `wildcards` leading `*.` labels require that many extra labels (`*.example.com` = subdomains).
 */
export interface DomainAtom {
  readonly kind: "domain";
  readonly wildcards: number;
  readonly labels: readonly string[];
}

export type Atom = StringAtom | RegExpAtom | IpAtom | DomainAtom;

/** `*` alone: true for every event, even an empty one. */
export interface AnythingNode {
  readonly type: "anything";
}

/**
 * `key = value` / `key in range` (type "match") and `key != value` / `key not in range`
 * (type "nonmatch"). A null key or value is `*`. Match is true when some value of the key
 * matches; nonmatch when some value does not (so both are false on a missing key).
 */
export interface MatchNode {
  readonly type: "match" | "nonmatch";
  readonly key: string | null;
  readonly value: Atom | null;
}

/**
 * A value pattern alone: true when some key or value matches it (strings as a case-insensitive
 * substring). A domain atom here has no wildcards: `*.example.com` alone is no rule.
 */
export interface FuzzyNode {
  readonly type: "fuzzy";
  readonly atom: Atom;
}

/** `a and b ...` / `a or b ...`: at least two subrules, order and repeats do not matter. */
export interface GroupNode {
  readonly type: "and" | "or";
  readonly rules: readonly RuleNode[];
}

/** `no x`: true when `x` is false. */
export interface NoNode {
  readonly type: "no";
  readonly rule: RuleNode;
}

export type RuleNode = AnythingNode | MatchNode | FuzzyNode | GroupNode | NoNode;

/** Nodes that format as one unit and need no parentheses next to `and`, `or` or `no`. */
export function isSimple(node: RuleNode): boolean {
  return node.type !== "and" && node.type !== "or";
}
