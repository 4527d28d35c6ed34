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
  type Rule,
} from "../../core/index.js";
import { countTable, eventTable, table, type Answer } from "./format.js";
import { parseClauses, QuestionError, splitBy } from "./query-parse.js";
import { scan, type QueryBackend, type ScanResult, type StoredEvent } from "./query.js";

const DEFAULT_SINCE = "30d";
const DEFAULT_LIMIT = 50;
/** !ip, !net and !asn look at all time unless told otherwise. */
const EPOCH = "1970-01-01 00:00:00Z";
/** Events shown under a !ip / !net / !asn summary. */
const LATEST = 10;
/** Documents read at most for one question (counts above it are a lower bound). */
export const MAX_SCANNED = 200_000;

function sinceOf(text: string | undefined, now: Date, fallback: string): string {
  return text ?? parseClauses(`since ${fallback}`, now).since ?? EPOCH;
}

function rule(text: string): Rule {
  if (text === "") throw new QuestionError(`expected a rule`);
  try {
    return parseRule(text);
  } catch (err) {
    // A clause that was not stripped (`since last week`) ends up in the rule: say why.
    if (/(^|\s)(since|limit)\s/i.test(text) && err instanceof Error) {
      throw new QuestionError(
        `${err.message} (since and limit take one word at the end: since 7d, since 2026-11-01, limit 20)`,
      );
    }
    throw err;
  }
}

function cutNote(r: ScanResult, what: string): string | undefined {
  if (!r.truncated) return undefined;
  return r.scanned >= MAX_SCANNED
    ? `(stopped after reading ${r.scanned} stored events: narrow the rule or use since)`
    : what && `(${what})`;
}

/** `!find <rule> [since …] [limit N]` */
export async function askFind(args: string, backend: QueryBackend, now: Date): Promise<Answer> {
  const c = parseClauses(args, now);
  const r = rule(c.rest);
  const since = sinceOf(c.since, now, DEFAULT_SINCE);
  const limit = c.limit ?? DEFAULT_LIMIT;
  const res = await scan(backend, r, { since, want: limit, maxScanned: MAX_SCANNED });
  const title = `${formatRule(r)} since ${since}: ${res.events.length} event(s)`;
  if (res.events.length === 0) return { title, intro: ["no events match"] };
  const note = cutNote(res, `newest ${limit} shown; say limit N for more`);
  return { title, table: eventTable(res.events), ...(note ? { note } : {}) };
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
  const res = await scan(backend, r, { since, want: MAX_SCANNED, maxScanned: MAX_SCANNED });
  const subject = `${kind} ${c.rest}`;
  if (res.events.length === 0) {
    return { title: `${subject}: not seen${c.since ? ` since ${since}` : ""}` };
  }
  const events = res.events; // newest first
  const plus = res.truncated ? "+" : "";
  const summary = table(
    ["", ""],
    [
      ["events", `${events.length}${plus}`],
      ["first seen", `${events.at(-1)?.time ?? ""}${plus ? " (or earlier)" : ""}`],
      ["last seen", events[0]?.time ?? ""],
      ["feeds", tally(events, "feed")],
      ["types", tally(events, "type")],
      ...(kind === "ip" ? [] : [["ips", distinct(events, "ip")]]),
    ],
  ).slice(1);
  const note = cutNote(res, "");
  return {
    title: `${subject}${c.since ? ` since ${since}` : ""}`,
    intro: [...summary, `latest ${Math.min(LATEST, events.length)}:`],
    table: eventTable(events.slice(0, LATEST)),
    ...(note ? { note } : {}),
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
  const res = await scan(backend, r, { since, want: MAX_SCANNED, maxScanned: MAX_SCANNED });
  const counts = countValues(res.events, split.key);
  const title = `${split.key} of ${res.events.length}${res.truncated ? "+" : ""} event(s) matching ${formatRule(r)} since ${since}: ${counts.size} value(s)`;
  if (res.events.length === 0) return { title };
  const note = cutNote(res, "");
  return { title, table: countTable(split.key, counts), ...(note ? { note } : {}) };
}
