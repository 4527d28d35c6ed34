// The public face of the rule language: parse text to a Rule, match events, format back, lint.
import type { RuleNode } from "./ast.js";
import type { Event } from "../event.js";
import { compileNode, type CompileOptions, type Matcher } from "./compile.js";
import { formatNode } from "./format.js";
import { parseText, type RuleWarning } from "./parser.js";
import { nodesEqual, normalizeNode, walkNode } from "./tree.js";

/** A compiled rule: its tree (`node`, also what toJSON gives) and a fast `match`. */
export class Rule {
  /** The checked, canonical tree. */
  readonly node: RuleNode;
  readonly #matcher: Matcher;

  /** Throws a TypeError on a malformed tree (see compileRule). */
  constructor(node: RuleNode, opts: CompileOptions = {}) {
    this.node = normalizeNode(node);
    this.#matcher = compileNode(this.node, opts);
  }

  /** Whether the event matches, with AbuseHelper's multi-valued semantics. */
  match(event: Event): boolean {
    return this.#matcher(event);
  }

  equals(other: Rule): boolean {
    return nodesEqual(this.node, other.node);
  }

  toJSON(): RuleNode {
    return this.node;
  }

  toString(): string {
    return formatNode(this.node);
  }
}

/**
 * Parse rule text (AbuseHelper's rule language). Throws RuleSyntaxError with the position and
 * what was expected there.
 */
export function parseRule(text: string, opts: CompileOptions = {}): Rule {
  return new Rule(parseText(text).node, opts);
}

/** A Rule from a tree built in code; throws a TypeError on a malformed tree. */
export function compileRule(node: RuleNode): Rule {
  return new Rule(node);
}

/** Rule text that parses back to an equal rule. */
export function formatRule(rule: Rule | RuleNode): string {
  return formatNode(rule instanceof Rule ? rule.node : normalizeNode(rule));
}

/** Whether two rules (or trees) are the same rule; `and`/`or` operands compare as sets. */
export function ruleEquals(a: Rule | RuleNode, b: Rule | RuleNode): boolean {
  return nodesEqual(canonical(a), canonical(b));
}

/**
 * Warnings for rule text that parses but probably does not say what its author meant: one
 * parenthesis level mixing `and` and `or` (they have no precedence; see chain.ts). Throws
 * RuleSyntaxError when the text does not parse.
 */
export function lintRule(text: string): RuleWarning[] {
  return parseText(text).warnings;
}

/** Visit every node of a rule, parents first; return false from `visit` to skip children. */
export function walkRule(
  rule: Rule | RuleNode,
  visit: (node: RuleNode, ancestors: readonly RuleNode[]) => boolean | void,
): void {
  walkNode(canonical(rule), visit);
}

function canonical(rule: Rule | RuleNode): RuleNode {
  return rule instanceof Rule ? rule.node : normalizeNode(rule);
}
