// The public surface of core: bots import only from here.
export { Event, compareCodePoints, type EventInit, type EventJson } from "./sdk/event.js";
export { KEYS, isHarmonizedKey, formatTime, type HarmonizedKey } from "./sdk/keys.js";
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
  type RejectedRecord,
  type Running,
} from "./sdk/bot.js";
export { RetryLater } from "./sdk/bot.js";
export { badValues, describeBad, type BadValue } from "./sdk/validate.js";
export {
  param,
  parseDuration,
  ParamError,
  type ParamSpec,
  type ParamValues,
} from "./sdk/params.js";
export { beginRead, type Observation } from "./sdk/observation.js";
export { missingFiles } from "./sdk/check-files.js";
export type { Route } from "./sdk/bot.js";
export { expertOutput, expertParams, prefixKeys, type ExpertMode } from "./sdk/expert.js";
export { parseRule, formatRule, lintRule, Rule, RuleSyntaxError } from "./sdk/rules/index.js";
export { RegExpTranslationError } from "./sdk/rules/regexp.js";
export type { Atom, MatchNode, RuleNode } from "./sdk/rules/index.js";
export {
  parseAddr,
  addrProblem,
  NOT_AN_IP,
  formatAddr,
  formatV4,
  formatV6,
  isLoopback,
  isSpecial,
  reverseName,
  type Addr,
  type AddrOptions,
} from "./sdk/net/ip.js";
export {
  parseRange,
  readRange,
  networkOf,
  rangeOf,
  ends,
  contains,
  prefixLength,
  formatRange,
  IpError,
  type IpRange,
  type RangeForm,
  type RangeOptions,
} from "./sdk/net/range.js";
export { RangeSet, RangeIndex, V6_ID } from "./sdk/net/ranges.js";
export { watchFiles, type Watcher } from "./sdk/files/watch.js";
export {
  followFile,
  type FilePosition,
  type FollowFileOptions,
  type LineBlock,
} from "./sdk/files/follow.js";
export { readJsonFile, writeAtomic, writeJsonFile } from "./sdk/state-file.js";
export {
  Journal,
  readJsonLines,
  type FsyncPolicy,
  type JournalLoad,
  type JournalOptions,
  type JournalRecord,
  type JsonLines,
} from "./sdk/journal.js";
