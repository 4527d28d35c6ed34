// Rule text from a rule tree. Unlike AbuseHelper's formatter (rulelang.py), whose output for
// `key in example.com` reads back as `key = example.com`, ours always parses back to an equal
// rule: domains get `in`, and keys and words that would read as keywords, IPs or domains get
// quotes (`"a.b" = c`, `"example.com"`).
import type { Atom, RuleNode } from "./ast.js";
import { isSimple } from "./ast.js";
import { formatDomain } from "./domain.js";
import { readsAsAtom } from "./fuzzy.js";
import { atomToRange, formatRange } from "./iprange.js";
import { escapeSlashes } from "./regexp.js";
import { KEYWORDS, UNQUOTED } from "./scanner.js";

export function formatNode(node: RuleNode): string {
  switch (node.type) {
    case "anything":
      return "*";
    case "fuzzy":
      return formatFuzzy(node.atom);
    case "match":
    case "nonmatch": {
      const key = node.key === null ? "*" : formatKey(node.key);
      const range = node.value?.kind === "ip" || node.value?.kind === "domain";
      const op = range
        ? node.type === "match"
          ? "in"
          : "not in"
        : node.type === "match"
          ? "="
          : "!=";
      return `${key} ${op} ${node.value === null ? "*" : formatValue(node.value)}`;
    }
    case "and":
    case "or":
      return node.rules.map(operand).join(` ${node.type} `);
    case "no":
      return `no ${operand(node.rule)}`;
  }
}

function operand(node: RuleNode): string {
  if (isSimple(node)) return formatNode(node);
  // Right before ")" AbuseHelper's domain token takes the ")" and the domain reads as a word;
  // a space keeps it a domain: `(x or example.com )`.
  return `(${formatNode(node)}${endsInDomain(node) ? " " : ""})`;
}

function endsInDomain(node: RuleNode): boolean {
  if (node.type === "fuzzy") return node.atom.kind === "domain";
  if (node.type === "no") return isSimple(node.rule) && endsInDomain(node.rule);
  const last = node.type === "and" || node.type === "or" ? node.rules[node.rules.length - 1] : null;
  return last !== null && last !== undefined && isSimple(last) && endsInDomain(last);
}

/** A value after `=` or `in`: only a bare word's own syntax matters there. */
function formatValue(atom: Atom): string {
  switch (atom.kind) {
    case "string":
      return isBare(atom.value) ? atom.value : JSON.stringify(atom.value);
    case "regexp":
      return `/${escapeSlashes(atom.pattern)}/${atom.ignoreCase ? "i" : ""}`;
    case "ip":
      return formatRange(atomToRange(atom));
    case "domain":
      return formatDomain(atom);
  }
}

/** A key: quoted when bare it would read as a keyword (`no`, `in`, ...), an IP or a domain. */
function formatKey(key: string): string {
  const bare = isBare(key) && !KEYWORDS.has(key.toLowerCase()) && !readsAsAtom(key);
  return bare ? key : JSON.stringify(key);
}

function formatFuzzy(atom: Atom): string {
  if (atom.kind === "string") return formatKey(atom.value);
  const text = formatValue(atom);
  // Alone, AbuseHelper's IPv6 token has no dotted quad (::ffff:192.0.2.1 would read as
  // ::ffff:192): write its last 32 bits in hex, the same address.
  if (atom.kind !== "ip" || atom.version !== 6) return text;
  return text.replace(/([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)/g, (...parts: string[]) => {
    const [a, b, c, d] = parts.slice(1, 5).map(Number) as [number, number, number, number];
    return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  });
}

// Bare text must not hide characters a reader cannot see or a file cannot hold (control
// characters, lone surrogates); quoted, JSON escapes them.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f]|\p{Surrogate}/u;

function isBare(text: string): boolean {
  UNQUOTED.lastIndex = 0;
  return UNQUOTED.exec(text)?.[0].length === text.length && !INVISIBLE.test(text);
}
