/** The one place the config loader meets the rule language (core/rules). */
import {
  formatRule,
  lintRule,
  parseRule,
  RuleSyntaxError,
  type Rule,
} from "../../sdk/rules/index.js";

export interface RuleCheck {
  rule?: Rule;
  /** Canonical text, to spot duplicate routes written differently. */
  canonical?: string;
  /** The syntax error, with its position and an excerpt of the rule. */
  error?: string;
  warnings: string[];
}

// The problem's key already says "rule"; messages from core/rules start with it too.
const strip = (message: string): string => message.replace(/^rule: /, "");

export function checkRule(text: string): RuleCheck {
  try {
    const rule = parseRule(text);
    const warnings = lintRule(text).map((w) => strip(w.message));
    return { rule, canonical: formatRule(rule), warnings };
  } catch (err) {
    if (!(err instanceof RuleSyntaxError)) throw err;
    return { error: strip(err.message), warnings: [] };
  }
}
