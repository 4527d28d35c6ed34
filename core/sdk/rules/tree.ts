// Checking, comparing and walking rule trees built by hand (the safe way to put runtime values
// such as an IP range into a rule, as AbuseHelper's docs/Rules.md advises) or parsed from text.
import type { Atom, RuleNode } from "./ast.js";
import { domainAtom, formatDomain } from "./domain.js";
import { atomToRange, rangeToAtom } from "./iprange.js";
import { compilePattern, unescapeSlashes } from "./regexp.js";

/**
 * The tree checked and in canonical form (canonical IP text, domain labels in ASCII, `\/` as
 * `/` in patterns). Throws a TypeError naming the bad node.
 */
export function normalizeNode(node: RuleNode): RuleNode {
  switch (node.type) {
    case "anything":
      return { type: "anything" };
    case "fuzzy":
      // rulelang.py reads `*.example.com` alone as `*` and fails, so no text means this tree.
      if (node.atom.kind === "domain" && node.atom.wildcards !== 0) {
        bad(node, "a domain pattern with wildcards cannot stand alone; use key null (* in ...)");
      }
      return { type: "fuzzy", atom: normalizeAtom(node.atom) };
    case "match":
    case "nonmatch":
      if (node.key !== null && typeof node.key !== "string")
        bad(node, "key must be a string or null");
      return {
        type: node.type,
        key: node.key,
        value: node.value === null ? null : normalizeAtom(node.value),
      };
    case "and":
    case "or":
      if (!Array.isArray(node.rules) || node.rules.length < 2) bad(node, "needs two rules or more");
      return { type: node.type, rules: node.rules.map(normalizeNode) };
    case "no":
      return { type: "no", rule: normalizeNode(node.rule) };
    default:
      return bad(node, "unknown node type");
  }
}

function normalizeAtom(atom: Atom): Atom {
  switch (atom.kind) {
    case "string":
      if (typeof atom.value !== "string") bad(atom, "value must be a string");
      return { kind: "string", value: atom.value };
    case "regexp": {
      const pattern = unescapeSlashes(atom.pattern);
      try {
        compilePattern(pattern, atom.ignoreCase);
      } catch (err) {
        bad(atom, err instanceof Error ? err.message : String(err));
      }
      return { kind: "regexp", pattern, ignoreCase: atom.ignoreCase === true };
    }
    case "ip":
      return rangeToAtom(atomToRange(atom));
    case "domain":
      if (!Number.isInteger(atom.wildcards) || atom.wildcards < 0) bad(atom, "bad wildcards");
      return domainAtom(formatDomain(atom));
    default:
      return bad(atom, "unknown atom kind");
  }
}

function bad(what: unknown, problem: string): never {
  throw new TypeError(`rule node ${JSON.stringify(what)}: ${problem}`);
}

/**
 * Whether two canonical trees are the same rule. `and`/`or` compare as sets, so order and
 * repeats do not matter (AbuseHelper keeps their subrules in a frozenset).
 */
export function nodesEqual(a: RuleNode, b: RuleNode): boolean {
  switch (a.type) {
    case "anything":
      return b.type === "anything";
    case "fuzzy":
      return b.type === "fuzzy" && atomsEqual(a.atom, b.atom);
    case "match":
    case "nonmatch":
      return b.type === a.type && a.key === b.key && atomsEqual(a.value, b.value);
    case "and":
    case "or":
      return b.type === a.type && covers(a.rules, b.rules) && covers(b.rules, a.rules);
    case "no":
      return b.type === "no" && nodesEqual(a.rule, b.rule);
  }
}

function covers(xs: readonly RuleNode[], ys: readonly RuleNode[]): boolean {
  return xs.every((x) => ys.some((y) => nodesEqual(x, y)));
}

function atomsEqual(a: Atom | null, b: Atom | null): boolean {
  if (a === null || b === null) return a === b;
  switch (a.kind) {
    case "string":
      return b.kind === "string" && a.value === b.value;
    case "regexp":
      return b.kind === "regexp" && a.pattern === b.pattern && a.ignoreCase === b.ignoreCase;
    case "ip":
      return b.kind === "ip" && a.version === b.version && a.first === b.first && a.last === b.last;
    case "domain":
      return (
        b.kind === "domain" &&
        a.wildcards === b.wildcards &&
        a.labels.join(".") === b.labels.join(".")
      );
  }
}

/**
 * Visit every node depth-first, parents before children, with the chain of ancestors (so a
 * visitor can tell a condition under `no` from one that must hold). Return false from `visit`
 * to skip a node's children.
 */
export function walkNode(
  node: RuleNode,
  visit: (node: RuleNode, ancestors: readonly RuleNode[]) => boolean | void,
  ancestors: readonly RuleNode[] = [],
): void {
  if (visit(node, ancestors) === false) return;
  const below = [...ancestors, node];
  if (node.type === "and" || node.type === "or") {
    for (const child of node.rules) walkNode(child, visit, below);
  } else if (node.type === "no") {
    walkNode(node.rule, visit, below);
  }
}
