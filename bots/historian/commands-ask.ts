// The questions behind the commands: parse, scan the store, shape an Answer. Pure given the
// backend and the clock, so each is tested against an in-memory fake.
import {
  addrProblem,
  formatRange,
  formatRule,
  NOT_AN_IP,
  parseAddr,
  parseRule,
  rangeOf,
  readRange,
  RegExpTranslationError,
  type Rule,
} from "../../core/index.js";
import { countTable, eventTable, table, type Answer } from "./format.js";
import { parseClauses, QuestionError, splitBy } from "./query-parse.js";
import { indexedEquality, ruleToSelector } from "./mango.js";
import { scan, type QueryBackend, type ScanResult, type StoredEvent } from "./query.js";
import { lagNote } from "./view-query.js";

const DEFAULT_SINCE = "30d";
const DEFAULT_LIMIT = 50;
/** !ip, !net and !asn look at all time unless told otherwise. */
const EPOCH = "1970-01-01 00:00:00Z";
/** Events shown under a !ip / !net / !asn summary. */
const LATEST = 10;
/** Documents read at most for one question (counts above it are a lower bound). */
export const MAX_SCANNED = 200_000;
/** `!find` counts matches beyond the page up to this many ("at least N" above it). */
export const COUNT_TO = 10_000;
/** Events read for the feed and type tallies of `!ip`, `!net`, `!asn`. */
const TALLY = 2000;
/** Longest a question may run; then it answers with what it found and says so. */
export const QUESTION_MS = 10_000;
/** Said under event tables: which times they show. */
const TIMES = "times: the events' own (source time, else observation time), UTC";

function sinceOf(text: string | undefined, now: Date, fallback: string): string {
  return text ?? parseClauses(`since ${fallback}`, now).since ?? EPOCH;
}

function rule(text: string): Rule {
  if (text === "") throw new QuestionError(`expected a rule`);
  try {
    // Regexps on the linear-time engine: a question cannot freeze the historian.
    return parseRule(text, { linear: true });
  } catch (err) {
    if (err instanceof RegExpTranslationError) throw new QuestionError(`rule: ${err.message}`);
    // A clause that was not stripped (`since last week`) ends up in the rule: say why.
    if (/(^|\s)(since|limit)\s/i.test(text) && err instanceof Error) {
      throw new QuestionError(
        `${err.message} (since and limit take one word at the end: since 7d, since 2026-11-01, limit 20)`,
      );
    }
    throw err;
  }
}

/** Why a scan ended early, in words, or undefined. */
function cutNote(r: ScanResult): string | undefined {
  if (r.stopped === "scanned")
    return `stopped after reading ${r.scanned} stored events: narrow the rule or use since`;
  if (r.stopped === "time")
    return `stopped after ${QUESTION_MS / 1000} s and ${r.scanned} events read: narrow the rule or use since`;
  return undefined;
}

/** Notes under an answer: cut short, index behind, which times are shown. */
function notes(...lines: (string | undefined)[]): string {
  return lines.filter((l) => l !== undefined).join("\n");
}

/** `12 events (10 distinct)`, or `at least 10000 events` when the count stopped. */
function howMany(n: number, distinct: number | undefined, exact: boolean, noun = true): string {
  const events = `${exact ? "" : "at least "}${n}${noun ? ` event${n === 1 ? "" : "s"}` : ""}`;
  return distinct === undefined || distinct === n ? events : `${events} (${distinct} distinct)`;
}

/** `!find <rule> [since …] [limit N]` */
export async function askFind(args: string, backend: QueryBackend, now: Date): Promise<Answer> {
  const c = parseClauses(args, now);
  const r = rule(c.rest);
  const since = sinceOf(c.since, now, DEFAULT_SINCE);
  const limit = c.limit ?? DEFAULT_LIMIT;
  const deadline = Date.now() + QUESTION_MS; // the real clock: `now` may be a test's
  const only = onlyEquality(r);
  // `key = value` alone: the view counts it exactly; read only the page.
  const summary = only && (await backend.summarize?.(only.key, only.value, since));
  const res = await scan(backend, r, {
    since,
    want: limit,
    countTo: summary ? limit : COUNT_TO,
    maxScanned: MAX_SCANNED,
    deadline,
  });
  const total = summary ? summary.events : res.matched;
  const exact = summary ? true : res.stopped === undefined;
  const distinct = summary ? summary.distinct : distinctOf(res.events, res.matched);
  const title = `${formatRule(r)} since ${since}: ${howMany(total, distinct, exact)}`;
  const lag = lagNote(summary ? summary.lag : res.lag);
  if (res.events.length === 0) return { title, intro: ["no events match"], ...noteOf(lag) };
  const shown =
    res.events.length < total
      ? `newest ${res.events.length} shown; say limit N for more`
      : undefined;
  const note = notes(shown, cutNote(res), lag, TIMES);
  return { title, table: eventTable(res.events), note };
}

const noteOf = (note: string | undefined) => (note ? { note } : {});

/** Distinct sightings among the events kept, when they are all the matches. */
function distinctOf(events: readonly StoredEvent[], matched: number): number | undefined {
  if (events.length < matched) return undefined;
  return new Set(events.map((e) => e.sighting ?? e.id)).size;
}

/** The one `key = value` a rule is, when it is exactly that (and the time bound). */
function onlyEquality(r: Rule): { key: string; value: string } | undefined {
  const { selector, exact } = ruleToSelector(r, "array");
  const eq = exact ? indexedEquality(selector) : undefined;
  if (eq === undefined) return undefined;
  return JSON.stringify(selector) ===
    JSON.stringify({ [eq.key]: { $elemMatch: { $eq: eq.value } } })
    ? eq
    : undefined;
}

const SUBJECT = {
  ip: { example: "192.0.2.1", text: (a: string) => `ip in ${a}` },
  net: { example: "192.0.2.0/24", text: (a: string) => `ip in ${a}` },
  asn: { example: "64496", text: (a: string) => `asn = ${a}` },
};

/** `!ip <address>`, `!net <cidr>`, `!asn <number>`: a summary and the latest events. */
export async function askSubject(
  kind: keyof typeof SUBJECT,
  args: string,
  backend: QueryBackend,
  now: Date,
): Promise<Answer> {
  const c = parseClauses(args, now);
  if (c.limit !== undefined) throw new QuestionError("limit does not apply here");
  const r = subjectRule(kind, c.rest);
  const since = c.since ?? EPOCH;
  const subject = `${kind} ${c.rest}`;
  const heading = `${subject}${c.since ? ` since ${since}` : ""}`;
  const only = onlyEquality(r);
  const summary = only && (await backend.summarize?.(only.key, only.value, since));
  // The newest events: all of them for the summary when no view counts, else enough to tally.
  const res = await scan(backend, r, {
    since,
    want: summary ? TALLY : MAX_SCANNED,
    maxScanned: MAX_SCANNED,
    deadline: Date.now() + QUESTION_MS,
  });
  const events = res.events; // newest first
  const total = summary ? summary.events : res.matched;
  if (total === 0) return { title: `${subject}: not seen${c.since ? ` since ${since}` : ""}` };
  const exact = summary ? true : res.stopped === undefined;
  const unique = summary ? summary.distinct : distinctOf(events, res.matched);
  const first = summary ? summary.first : events.at(-1)?.time;
  const earlier = summary ? summary.truncated : !exact;
  const partial = events.length < total ? ` (of the newest ${events.length})` : "";
  const summaryLines = table(
    ["", ""],
    [
      ["events", howMany(total, unique, exact, false)],
      ["first seen", `${first ?? ""}${earlier ? " (or earlier)" : ""}`],
      ["last seen", (summary ? summary.last : events[0]?.time) ?? ""],
      [`feeds${partial}`, tally(events, "feed")],
      [`types${partial}`, tally(events, "type")],
      ...(kind === "ip" ? [] : [[`ips${partial}`, distinct(events, "ip")]]),
    ],
  ).slice(1);
  const lag = lagNote(summary ? summary.lag : res.lag);
  return {
    title: heading,
    intro: [...summaryLines, `latest ${Math.min(LATEST, events.length)}:`],
    table: eventTable(events.slice(0, LATEST)),
    note: notes(cutNote(res), lag, TIMES),
  };
}

function subjectRule(kind: keyof typeof SUBJECT, arg: string): Rule {
  const s = SUBJECT[kind];
  const bad = (why?: string) =>
    new QuestionError(
      `expected ${kind === "asn" ? "an AS number" : kind === "ip" ? "an IP address" : "a network in CIDR"}${why ? ` (${why})` : ""}`,
    );
  const value = kind === "asn" ? arg.replace(/^as/i, "") : arg;
  if (value === "" || /\s/.test(value)) throw bad();
  if (kind === "asn") {
    if (!/^\d+$/.test(value)) throw bad();
    return parseRule(s.text(value));
  }
  if (kind === "ip") {
    const a = parseAddr(value);
    if (a === null) {
      const why = addrProblem(value);
      throw bad(why === NOT_AN_IP ? undefined : why);
    }
    return parseRule(s.text(formatRange(rangeOf(a))));
  }
  const net = readRange(value, { forms: ["cidr", "range"] });
  // A host bit set or a bad prefix length is told; a word that is no network at all is not.
  if (typeof net === "string") throw bad(/[/-]/.test(value) ? net : undefined);
  return parseRule(s.text(formatRange(net, "cidr")));
}

/** `value (n), value (n)` for a key, most frequent first, at most six named. */
function tally(events: readonly StoredEvent[], key: string): string {
  const counts = countValues(events, key);
  const sorted = [...counts].filter(([v]) => v !== "").sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, 6).map(([v, n]) => `${v} (${n})`);
  if (sorted.length > 6) shown.push(`and ${sorted.length - 6} more`);
  return shown.join(", ") || "-";
}

function distinct(events: readonly StoredEvent[], key: string): string {
  return String(countValues(events, key).size);
}

/** How many events carry each value of a key; events without it count under "". */
export function countValues(events: readonly StoredEvent[], key: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    const values = e.event[key] ?? [""];
    for (const v of new Set(values.length ? values : [""])) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/** `!count <rule> by <key> [since …]` */
export async function askCount(args: string, backend: QueryBackend, now: Date): Promise<Answer> {
  const c = parseClauses(args, now);
  if (c.limit !== undefined) throw new QuestionError("limit does not apply here");
  const split = splitBy(c.rest);
  if (split === undefined) throw new QuestionError("expected <rule> by <key>");
  const r = split.rule === "" ? parseRule("*") : rule(split.rule);
  const since = sinceOf(c.since, now, DEFAULT_SINCE);
  // `* by key` for a key the counts view holds: grouped rows, not a scan.
  const everything = r.node.type === "anything";
  const byView = everything ? await backend.countBy?.(split.key, since) : undefined;
  if (byView !== undefined) {
    const all = await backend.countBy?.("*", since);
    const n = all?.counts.get("") ?? 0;
    const title = `${split.key} of ${n} event(s) since ${byView.from}: ${byView.counts.size} value(s)`;
    const lag = lagNote(byView.lag ?? all?.lag);
    if (n === 0) return { title, ...noteOf(lag) };
    const from =
      byView.from === since ? undefined : `(since rounded down to the hour: ${byView.from})`;
    return { title, table: countTable(split.key, byView.counts), ...noteOf(notes(from, lag)) };
  }
  const res = await scan(backend, r, {
    since,
    want: MAX_SCANNED,
    maxScanned: MAX_SCANNED,
    deadline: Date.now() + QUESTION_MS,
  });
  const counts = countValues(res.events, split.key);
  const plus = res.stopped === undefined ? "" : "+";
  const title = `${split.key} of ${res.events.length}${plus} event(s) matching ${formatRule(r)} since ${since}: ${counts.size} value(s)`;
  const note = notes(cutNote(res), lagNote(res.lag));
  if (res.events.length === 0) return { title, ...noteOf(note) };
  return { title, table: countTable(split.key, counts), ...noteOf(note) };
}
