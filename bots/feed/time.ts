/**
 * Source times to the mesh's `YYYY-MM-DD HH:MM:SSZ` (UTC). A time without an offset is taken
 * as UTC: feeds publish UTC far more often than they say so, and the host's zone is never
 * the right guess.
 */
import { formatTime } from "../../core/index.js";

/** Parses one value to the mesh time string, or undefined when it is not a time. */
export type TimeParser = (value: string) => string | undefined;

const ISO =
  /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)?$/i;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Offset text (`Z`, `+02:00`, `-0530`, `+02`) to minutes east of UTC. */
function offsetMinutes(text: string | undefined): number {
  if (text === undefined || /^(z|utc|gmt)$/i.test(text)) return 0;
  const sign = text.startsWith("-") ? -1 : 1;
  const digits = text.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
}

interface Parts {
  y: number;
  mo: number;
  d: number;
  h?: number;
  mi?: number;
  s?: number;
  ms?: number;
  offset?: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function daysIn(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(mo) ? 30 : 31;
}

/** Build from parts, rejecting what Date.UTC would silently roll over (Feb 30, hour 25). */
function fromParts(p: Parts): string | undefined {
  const [h, mi, s] = [p.h ?? 0, p.mi ?? 0, p.s ?? 0];
  if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.d > daysIn(p.y, p.mo) || h > 23 || mi > 59 || s > 60) {
    return undefined;
  }
  const offset = offsetMinutes(p.offset);
  // UTC already (most feeds): write it out directly, a Date round trip costs more than parsing.
  if (offset === 0 && s < 60)
    return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)} ${pad(h)}:${pad(mi)}:${pad(s)}Z`;
  const utc = Date.UTC(p.y, p.mo - 1, p.d, h, mi, Math.min(s, 59), p.ms ?? 0);
  return formatTime(new Date(utc - offset * 60_000));
}

function fraction(text: string | undefined): number {
  return text === undefined ? 0 : Math.floor(Number(`0.${text}`) * 1000);
}

export function parseIso(value: string): string | undefined {
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  return fromParts({
    y: Number(y),
    mo: Number(mo),
    d: Number(d),
    h: Number(h ?? 0),
    mi: Number(mi ?? 0),
    s: Number(s ?? 0),
    ms: fraction(frac),
    ...(offset === undefined ? {} : { offset }),
  });
}

function fromMs(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : formatTime(date);
}

export function parseUnix(value: string): string | undefined {
  return /^\d+(\.\d+)?$/.test(value.trim()) ? fromMs(Number(value) * 1000) : undefined;
}

export function parseUnixMs(value: string): string | undefined {
  return /^\d+$/.test(value.trim()) ? fromMs(Number(value)) : undefined;
}

/** RFC 2822 (RSS pubDate: `Tue, 10 Jun 2003 04:00:00 GMT`); only with a zone, never local. */
export function parseRfc2822(value: string): string | undefined {
  if (!/\d\d:\d\d(:\d\d)?\s*([+-]\d{4}|[a-z]{1,5})\s*$/i.test(value.trim())) return undefined;
  return fromMs(Date.parse(value));
}

function parseAuto(value: string): string | undefined {
  const text = value.trim();
  if (/^\d{9,10}(\.\d+)?$/.test(text)) return parseUnix(text);
  if (/^\d{12,13}$/.test(text)) return parseUnixMs(text);
  return parseIso(text) ?? parseRfc2822(text);
}

// Longest first, so `MMM` wins over `MM` and `MM` over `M`.
const TOKENS: [string, string][] = [
  ["YYYY", "(?<y>\\d{4})"],
  ["SSS", "(?<frac>\\d+)"],
  ["MMM", "(?<mon>[A-Za-z]{3})"],
  ["MM", "(?<mo>\\d\\d)"],
  ["DD", "(?<d>\\d\\d)"],
  ["HH", "(?<h>\\d\\d)"],
  ["mm", "(?<mi>\\d\\d)"],
  ["ss", "(?<s>\\d\\d)"],
  ["M", "(?<mo>\\d{1,2})"],
  ["D", "(?<d>\\d{1,2})"],
  ["H", "(?<h>\\d{1,2})"],
  ["Z", "(?<offset>Z|UTC|GMT|[+-]\\d\\d(?::?\\d\\d)?)"],
];

/** Compile a pattern such as `DD/MM/YYYY HH:mm`; throws naming what is wrong. */
export function patternParser(pattern: string): TimeParser {
  let source = "";
  const seen = new Set<string>();
  for (let i = 0; i < pattern.length;) {
    const token = TOKENS.find(([t]) => pattern.startsWith(t, i));
    if (token) {
      if (seen.has(token[0][0] as string))
        throw new Error(`time pattern ${JSON.stringify(pattern)} repeats ${token[0]}`);
      seen.add(token[0][0] as string);
      source += token[1];
      i += token[0].length;
    } else {
      source += (pattern[i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      i += 1;
    }
  }
  if (!seen.has("Y") || !seen.has("M")) {
    throw new Error(`time pattern ${JSON.stringify(pattern)} needs at least YYYY and MM (or MMM)`);
  }
  // An offset after the pattern is honoured even when the pattern does not ask for one.
  const re = new RegExp(
    `^${source}${seen.has("Z") ? "" : "\\s*(?<tail>Z|UTC|GMT|[+-]\\d\\d:?\\d\\d)?"}$`,
    "i",
  );
  return (value) => {
    const g = re.exec(value.trim())?.groups;
    if (!g) return undefined;
    const mo =
      g["mon"] !== undefined ? MONTHS.indexOf(g["mon"].toLowerCase()) + 1 : Number(g["mo"]);
    const offset = g["offset"] ?? g["tail"];
    return fromParts({
      y: Number(g["y"]),
      mo,
      d: Number(g["d"] ?? 1),
      h: Number(g["h"] ?? 0),
      mi: Number(g["mi"] ?? 0),
      s: Number(g["s"] ?? 0),
      ms: fraction(g["frac"]),
      ...(offset === undefined ? {} : { offset }),
    });
  };
}

const NAMED: Record<string, TimeParser> = {
  iso: parseIso,
  unix: parseUnix,
  "unix-ms": parseUnixMs,
  rfc2822: parseRfc2822,
  auto: parseAuto,
};

/** The parser for a FieldRule.time value; throws on a bad pattern. */
export function timeParser(format: string): TimeParser {
  return NAMED[format] ?? patternParser(format);
}

/** What a time format expects, for error messages. */
export function describeTime(format: string): string {
  return Object.hasOwn(NAMED, format)
    ? `a time (${format})`
    : `a time like ${JSON.stringify(format)}`;
}
