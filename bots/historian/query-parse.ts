// Parse the trailing clauses of a chat question (`... since 7d limit 50`, `... by key`). They
// are not rule text: strip them from the end, one of each at most, and check their values.
import { formatTime } from "../../core/index.js";

export class QuestionError extends Error {
  override name = "QuestionError";
}

export interface Clauses {
  /** What is left: the rule text (or the argument of !ip and friends). */
  rest: string;
  /** Lower time bound, `YYYY-MM-DD HH:MM:SSZ` (UTC), when `since` was given. */
  since?: string;
  limit?: number;
}

const CLAUSE = /(?:^|\s)(since|limit)\s+(\S+)\s*$/i;
const RELATIVE = /^(\d+)(m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?)?$/i;

/** Strip `since X` and `limit N` (either order) from the end of `args`. */
export function parseClauses(args: string, now: Date, maxLimit = 1000): Clauses {
  let rest = args.trim();
  const out: Omit<Clauses, "rest"> = {};
  for (let i = 0; i < 2; i++) {
    const m = CLAUSE.exec(rest);
    if (!m || m.index === undefined) break;
    // Inside an open quote it is part of a value (`description = "seen since 7d"`).
    if (openQuote(rest.slice(0, m.index))) break;
    const word = (m[1] ?? "").toLowerCase();
    const value = m[2] ?? "";
    if (word === "since") {
      if (out.since !== undefined) throw new QuestionError("since: given twice");
      out.since = parseSince(value, now);
    } else {
      if (out.limit !== undefined) throw new QuestionError("limit: given twice");
      out.limit = parseLimit(value, maxLimit);
    }
    rest = rest.slice(0, m.index).trim();
  }
  return { rest, ...out };
}

/** `7d`, `12h`, `30m`, `2w` before now, or a UTC date (`2026-11-01`, `2026-11-01T08:00`). */
export function parseSince(text: string, now: Date): string {
  const rel = RELATIVE.exec(text);
  if (rel) {
    const ms = Number(rel[1]) * (UNIT_MS[(rel[2] ?? "d").toLowerCase()] ?? 0);
    return formatTime(new Date(now.getTime() - ms));
  }
  const d = DATE.exec(text);
  if (d) {
    const [y = 0, mo = 0, da = 0, h = 0, mi = 0, s = 0] = d.slice(1).map((x) => Number(x ?? 0));
    const date = new Date(Date.UTC(y, mo - 1, da, h, mi, s));
    if (date.getUTCDate() === da && date.getUTCMonth() === mo - 1 && h < 24 && mi < 60 && s < 60)
      return formatTime(date);
  }
  throw new QuestionError(
    `since: expected a duration like 7d, 12h, 30m or a UTC date like 2026-11-01, got ${JSON.stringify(text)}`,
  );
}

function parseLimit(text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new QuestionError(
      `limit: expected a whole number from 1 to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return Math.min(Number(text), max);
}

/**
 * Split `<rule> by <key>` at the last `by` outside quotes; the key may be quoted or several
 * words (`by domain name`).
 */
export function splitBy(text: string): { rule: string; key: string } | undefined {
  let at = /^by\s/i.test(text) ? 0 : -1;
  for (let i = 1; i < text.length; i++) {
    if (/^\sby\s$/i.test(text.slice(i - 1, i + 3)) && !openQuote(text.slice(0, i))) at = i;
  }
  if (at < 0) return undefined;
  const key = text
    .slice(at + 2)
    .trim()
    .replace(/^"(.*)"$/, "$1");
  if (key === "") return undefined;
  return { rule: text.slice(0, at).trim(), key };
}

/** Whether `text` ends inside a double-quoted string (rule strings escape `"` as `\"`). */
function openQuote(text: string): boolean {
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    if (quote && text[i] === "\\") i++;
    else if (text[i] === '"') quote = !quote;
  }
  return quote;
}
