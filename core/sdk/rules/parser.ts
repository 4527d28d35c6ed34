// The rule grammar above basic rules (abusehelper/core/rules/rulelang.py _create_parser):
//   expr    := ws? operand (junction operand)* ws?
//   operand := "(" expr ")" | "no" ws? "(" expr ")" | "no" ws (no-operand | basic) | basic
// A junction (`and`/`or`, any case) needs whitespace on a side that is not a parenthesis.
import type { RuleNode } from "./ast.js";
import { parseBasic } from "./basic.js";
import { assembleChain, firstMixedOperator, type Junction } from "./chain.js";
import { fail } from "./errors.js";
import { formatNode } from "./format.js";
import { isWs, keywordAt, skipWs, type Scanned } from "./scanner.js";

/** Deepest nesting of parentheses and `no` accepted; deeper rules would exhaust the stack. */
export const MAX_DEPTH = 500;

/** A lint finding: where (1-based, like RuleSyntaxError) and the explicit form to write. */
export interface RuleWarning {
  readonly position: number;
  readonly message: string;
  readonly suggestion: string;
}

interface Operand extends Scanned<RuleNode> {
  readonly parens: boolean; // ended with ")", so no whitespace is needed before a junction
}

export function parseText(text: string): { node: RuleNode; warnings: RuleWarning[] } {
  const parser = new Parser(text);
  const node = parser.parse();
  return { node, warnings: parser.warnings };
}

class Parser {
  readonly warnings: RuleWarning[] = [];
  #depth = 0;

  constructor(readonly text: string) {}

  parse(): RuleNode {
    const { value, end } = this.expr(0);
    if (end < this.text.length) {
      fail(
        this.text,
        end,
        this.text[end] === ")" ? "the end of the rule (this ')' has no '(')" : AFTER_RULE,
      );
    }
    return value;
  }

  expr(pos: number): Scanned<RuleNode> {
    const first = this.operand(skipWs(this.text, pos)) ?? this.missing(skipWs(this.text, pos));
    const operands = [first.value];
    const ops: Junction[] = [];
    const opStarts: number[] = [];
    let last = first;
    let switches = 0; // each change of operator nests the rest one level deeper
    try {
      for (;;) {
        const at = skipWs(this.text, last.end);
        const op = at > last.end || last.parens ? junctionAt(this.text, at) : null;
        if (op === null) break;
        if (ops.length > 0 && op !== ops[ops.length - 1]) {
          this.enter(at);
          switches++;
        }
        last = this.junctionOperand(at + op.length, op);
        operands.push(last.value);
        ops.push(op);
        opStarts.push(at);
      }
    } finally {
      this.#depth -= switches;
    }
    const node = assembleChain(operands, ops);
    this.lint(node, ops, opStarts);
    return { value: node, end: skipWs(this.text, last.end) };
  }

  /** After `and`/`or`: a parenthesised rule (space optional) or, after a space, a simple one. */
  junctionOperand(pos: number, op: Junction): Operand {
    const at = skipWs(this.text, pos);
    const operand = this.text[at] === "(" || at > pos ? this.operand(at) : null;
    return operand ?? fail(this.text, at, `a rule after '${op}'`);
  }

  operand(pos: number): Operand | null {
    if (this.text[pos] === "(") return this.parens(pos);
    return this.no(pos) ?? this.basic(pos);
  }

  basic(pos: number): Operand | null {
    const basic = parseBasic(this.text, pos);
    return basic && { ...basic, parens: false };
  }

  parens(pos: number): Operand {
    const inner = this.nested(pos, () => this.expr(pos + 1));
    if (this.text[inner.end] !== ")") {
      const expected = inner.end < this.text.length ? `'and', 'or' or ` : "";
      fail(this.text, inner.end, `${expected}')' (the '(' at position ${pos + 1} is not closed)`);
    }
    return { value: inner.value, end: inner.end + 1, parens: true };
  }

  /** `no x`; null when `no` is not followed by a rule, so that `no` can be a key or a word. */
  no(pos: number): Operand | null {
    if (!keywordAt(this.text, pos, "no")) return null;
    const at = skipWs(this.text, pos + 2);
    let inner: Operand | null = null;
    if (this.text[at] === "(") inner = this.parens(at);
    else if (at > pos + 2) inner = this.nested(pos, () => this.no(at) ?? this.basic(at));
    // Like AbuseHelper, `no (x)` still wants whitespace before a following `and`/`or`.
    return inner && { value: { type: "no", rule: inner.value }, end: inner.end, parens: false };
  }

  nested<T>(pos: number, parse: () => T): T {
    this.enter(pos);
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }

  /** One level deeper; fails beyond MAX_DEPTH. */
  enter(pos: number): void {
    if (this.#depth >= MAX_DEPTH) fail(this.text, pos, `at most ${MAX_DEPTH} levels of nesting`);
    this.#depth++;
  }

  missing(pos: number): never {
    return fail(this.text, pos, this.text[pos] === ")" ? "a rule before ')'" : "a rule");
  }

  /** Warn where one level mixes `and` and `or`: AbuseHelper's reading surprises most people. */
  lint(node: RuleNode, ops: readonly Junction[], opStarts: readonly number[]): void {
    const mixed = firstMixedOperator(ops);
    if (mixed < 0) return;
    const position = (opStarts[mixed] ?? 0) + 1;
    const suggestion = formatNode(node);
    this.warnings.push({
      position,
      suggestion,
      message:
        `rule: 'and' and 'or' mixed without parentheses at position ${position}; they have ` +
        `no precedence, this reads as: ${suggestion}`,
    });
  }
}

const AFTER_RULE = "'and', 'or' or the end of the rule";

/** `and`/`or` followed by whitespace, "(" or the end (the end so the error names the gap). */
function junctionAt(text: string, pos: number): Junction | null {
  for (const op of ["and", "or"] as const) {
    const end = pos + op.length;
    const next = text[end];
    if (keywordAt(text, pos, op) && (next === undefined || next === "(" || isWs(next))) return op;
  }
  return null;
}
