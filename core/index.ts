// The public surface of core: bots import only from here.
export { Event, compareCodePoints, type EventInit, type EventJson } from "./event.js";
export { KEYS, isHarmonizedKey, formatTime, type HarmonizedKey } from "./keys.js";
export {
  defineBot,
  drop,
  problemsOf,
  to,
  Drop,
  Routed,
  type BotCommand,
  type BotContext,
  type BotDefinition,
  type BotKind,
  type BotState,
  type Capability,
  type CheckProblem,
  type CouchService,
  type EventMeta,
  type Outcome,
  type Output,
  type Running,
} from "./bot.js";
export { RetryLater } from "./runtime/drive.js";
export { badValues, describeBad, type BadValue } from "./validate.js";
export { param, parseDuration, ParamError, type ParamSpec, type ParamValues } from "./params.js";
export { beginRead, type Observation } from "./observation.js";
export { missingFiles } from "./check-files.js";
export type { Route } from "./config/types.js";
export { expertOutput, expertParams, prefixKeys, type ExpertMode } from "./expert.js";
export { parseRule, formatRule, lintRule, Rule, RuleSyntaxError } from "./rules/index.js";
export type { Atom, MatchNode, RuleNode } from "./rules/index.js";
export {
  parseAddr,
  formatAddr,
  formatV4,
  formatV6,
  isSpecial,
  reversedNibbles,
  v4Number,
  v6Words,
  type Addr,
} from "./net/ip.js";
export { RangeSet, RangeIndex, V6_ID } from "./net/ranges.js";
export { watchFiles, type Watcher } from "./watch.js";
export { writeAtomic } from "./state-file.js";
