// How a run of `and`/`or` becomes a tree. AbuseHelper gives the two no precedence: a chain is
// read right to left, so `a and b or c` is `a and (b or c)` and `a or b and c` is
// `a or (b and c)`; a run of one operator is one node, `a and b and c` is and(a, b, c)
// (abusehelper/core/rules/rulelang.py binary_rule_tail, tests/test_rulelang.py test_and/test_or).
import type { RuleNode } from "./ast.js";

export type Junction = "and" | "or";

/** `operands[i]` and `operands[i + 1]` are joined by `ops[i]`. */
export function assembleChain(operands: readonly RuleNode[], ops: readonly Junction[]): RuleNode {
  let group: RuleNode[] = [operands[operands.length - 1] as RuleNode];
  let groupOp: Junction | null = null;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i] as Junction;
    const left = operands[i] as RuleNode;
    if (groupOp !== null && op !== groupOp) group = [{ type: groupOp, rules: group }];
    group.unshift(left);
    groupOp = op;
  }
  return groupOp === null ? (group[0] as RuleNode) : { type: groupOp, rules: group };
}

/** Index of the first operator that differs from the one before it, or -1 when all agree. */
export function firstMixedOperator(ops: readonly Junction[]): number {
  return ops.findIndex((op, i) => i > 0 && op !== ops[i - 1]);
}
