// Rule text from a rule tree. Unlike AbuseHelper's formatter (rulelang.py), whose output for
// `key in example.com` reads back as `key = example.com`, ours always parses back to an equal
// rule: domains get `in`, and words that would read as keywords, IPs or domains get quotes.
import type { Atom, RuleNode } from "./ast.js";
import { isSimple } from "./ast.js";
import { formatDomain, scanDomainPattern } from "./domain.js";
import { atomToRange, formatRange, scanIpRange } from "./iprange.js";
import { escapeSlashes } from "./regexp.js";
import { KEYWORDS, UNQUOTED } from "./scanner.js";

export function formatNode(node: RuleNode): string {
  switch (node.type) {
    case "anything":
      return "*";
    case "fuzzy":
      return node.atom.kind === "string" ? formatWord(node.atom.value) : formatValue(node.atom);
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
  return isSimple(node) ? formatNode(node) : `(${formatNode(node)})`;
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

/** A key: quoted when bare it would read as a keyword (`no`, `in`, ...). */
function formatKey(key: string): string {
  return isBare(key) && !KEYWORDS.has(key.toLowerCase()) ? key : JSON.stringify(key);
}

/** A fuzzy word: quoted also when bare it would read as an IP range or domain pattern. */
function formatWord(word: string): string {
  const atomLike = scanIpRange(word, 0) !== null || scanDomainPattern(word, 0) !== null;
  return atomLike ? JSON.stringify(word) : formatKey(word);
}

// Bare text must not hide characters a reader cannot see or a file cannot hold (control
// characters, lone surrogates); quoted, JSON escapes them.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f]|\p{Surrogate}/u;

function isBare(text: string): boolean {
  UNQUOTED.lastIndex = 0;
  return UNQUOTED.exec(text)?.[0].length === text.length && !INVISIBLE.test(text);
}
