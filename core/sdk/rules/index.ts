// The rule language (AbuseHelper's, abusehelper/core/rules): parse, match, format, lint, walk.
export type {
  Atom,
  StringAtom,
  RegExpAtom,
  IpAtom,
  DomainAtom,
  RuleNode,
  AnythingNode,
  MatchNode,
  FuzzyNode,
  GroupNode,
  NoNode,
} from "./ast.js";
export { RuleSyntaxError } from "./errors.js";
export { MAX_DEPTH, type RuleWarning } from "./parser.js";
export {
  Rule,
  parseRule,
  compileRule,
  formatRule,
  ruleEquals,
  lintRule,
  walkRule,
} from "./rule.js";
export { ipAtom } from "./iprange.js";
export { domainAtom } from "./domain.js";
