/**
 * The `fields` of a template: event key → where its values are. A source is a regex (each
 * match's `value` group, else its first group, else the whole match), a block (a regex whose
 * group is a stretch of text the items extractor reads: a "Reported URLs:" list), the items
 * extractor over the whole body or subject, or (source time only) the mail's Date. A list of
 * sources is a list of fallbacks, tried in order until one gives a value.
 */
import { timeParser, type TimeParser } from "../feed/time.js";
import type { ItemKind } from "./items.js";
import { isObj, pattern, unknownKeys, type Pattern, type Problems } from "./template-check.js";

/** Where a source looks: the body text, the subject, or a header (`header:x-abuse-id`). */
export type Place = "body" | "subject" | `header:${string}`;

export interface Field {
  /** Where it is in the template, for messages (`fields.ip[1]`). */
  at: string;
  kind: "regex" | "block" | "items" | "mail date";
  pattern: Pattern | undefined;
  in: Place;
  /** Source time: how the captured text is read (feed time formats; default auto). */
  time: { parse: TimeParser; format: string } | undefined;
  lower: boolean;
  /** Strings removed from a captured value before it is read (`" "`: Google's `example .com`). */
  strip: string[];
  /** Only the first match (a report names its subject once, the rest are quotes). */
  first: boolean;
  /** Captured text (lower case) → the value written (`phishing attack: phishing`); other texts give no value. */
  values: Record<string, string> | undefined;
}

/** The keys whose values are items, cleaned and checked as such. */
export const ITEM_FIELDS: Record<string, ItemKind> = {
  ip: "ip",
  url: "url",
  "domain name": "domain",
};

const SOURCE_KEYS = [
  "regex",
  "block",
  "items",
  "mail",
  "in",
  "time",
  "lower",
  "strip",
  "first",
  "values",
];
const ROW_KEYS = ["regex", "in", "time", "strip"];

export function readFields(p: Problems, raw: unknown, rows: boolean): Map<string, Field[]> {
  const out = new Map<string, Field[]>();
  if (raw === undefined && rows) return out;
  if (!isObj(raw)) {
    p("fields", "expected a mapping of event key to regex, source or list of sources");
    return out;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (key !== key.toLowerCase() || key.trim() !== key || key === "") {
      p(`fields.${key}`, "event keys are lower case words (core/sdk/keys.ts)");
      continue;
    }
    const alternatives = Array.isArray(value) ? value : [value];
    if (alternatives.length === 0) p(`fields.${key}`, "expected at least one source");
    const sources = alternatives.flatMap((alt, i) => {
      const at = Array.isArray(value) ? `fields.${key}[${i}]` : `fields.${key}`;
      const field = readSource(p, at, key, alt);
      return field ? [field] : [];
    });
    out.set(key, sources);
  }
  if (!rows && ![...out.keys()].some((k) => Object.hasOwn(ITEM_FIELDS, k))) {
    p("fields", "needs ip, url or domain name: a report without an item gives no event");
  }
  return out;
}

export function readSource(
  p: Problems,
  at: string,
  key: string,
  raw: unknown,
  known = SOURCE_KEYS,
): Field | undefined {
  const spec = typeof raw === "string" ? { regex: raw } : raw;
  if (!isObj(spec)) {
    p(at, "expected a regex or a mapping with regex, block, items or mail");
    return undefined;
  }
  unknownKeys(p, `${at}.`, spec, known);
  const kinds = (["regex", "block", "items", "mail"] as const).filter((k) => spec[k] !== undefined);
  if (kinds.length !== 1) {
    p(at, `expected exactly one of regex, block, items or mail, got ${kinds.join(", ") || "none"}`);
    return undefined;
  }
  const kind = kinds[0] as (typeof kinds)[number];
  const isItem = Object.hasOwn(ITEM_FIELDS, key);
  const field: Field = {
    at,
    kind: kind === "mail" ? "mail date" : kind,
    pattern: undefined,
    in: place(p, `${at}.in`, spec["in"]),
    time: undefined,
    lower: spec["lower"] === true,
    strip: [],
    first: spec["first"] === true,
    values: readValues(p, `${at}.values`, spec["values"]),
  };
  for (const flag of ["lower", "first"]) {
    if (spec[flag] !== undefined && typeof spec[flag] !== "boolean")
      p(`${at}.${flag}`, "expected true or false");
  }
  if (kind === "regex" || kind === "block") field.pattern = pattern(p, `${at}.${kind}`, spec[kind]);
  if (kind === "block" && !isItem)
    p(`${at}.block`, "only ip, url and domain name are read from blocks");
  if (kind === "items") {
    if (!isItem) p(`${at}.items`, "only ip, url and domain name are items");
    if (spec["items"] !== "body" && spec["items"] !== "subject") {
      p(`${at}.items`, `expected body or subject, got ${JSON.stringify(spec["items"])}`);
    } else field.in = spec["items"];
  }
  if (kind === "mail" && (key !== "source time" || spec["mail"] !== "date")) {
    p(`${at}.mail`, "only `source time: { mail: date }` is known");
  }
  const strip = spec["strip"];
  if (typeof strip === "string") field.strip = [strip];
  else if (Array.isArray(strip) && strip.every((s) => typeof s === "string")) field.strip = strip;
  else if (strip !== undefined) p(`${at}.strip`, "expected a string or a list of strings");
  const time = spec["time"];
  if (time !== undefined && key !== "source time" && key !== "rows") {
    p(`${at}.time`, "only source time (and rows) are read as a time");
  }
  if ((key === "source time" && kind === "regex") || key === "rows") {
    const format = typeof time === "string" ? time : "auto";
    if (time !== undefined && typeof time !== "string") p(`${at}.time`, "expected a time format");
    try {
      field.time = { parse: timeParser(format), format };
    } catch (err) {
      p(`${at}.time`, (err as Error).message);
    }
  }
  return field;
}

/**
 * `rows`: a regex matched over and over, each match one event, its named groups the event's
 * keys (`source_time` for `source time`: RE2 group names have no blanks). For tables: a
 * CERT's CSV lines, Google's DDoS table, a list of `URL (IP)` lines.
 */
export function readRows(p: Problems, raw: unknown, fieldItems: boolean): Field[] | undefined {
  if (raw === undefined) return undefined;
  const alternatives: unknown[] = Array.isArray(raw) ? raw : [raw];
  return alternatives.flatMap((alt, i) => {
    const at = Array.isArray(raw) ? `rows[${i}]` : "rows";
    const spec = typeof alt === "string" ? { regex: alt } : alt;
    if (!isObj(spec) || spec["regex"] === undefined) {
      p(at, "expected a regex or { regex, in, time, strip }");
      return [];
    }
    const field = readSource(p, at, "rows", spec, ROW_KEYS);
    const groups = field?.pattern ? Object.keys(field.pattern.re.namedGroups()) : [];
    // A row without an item of its own takes the fields' (AbuseIPDB: the address is in the subject).
    if (
      field?.pattern &&
      !fieldItems &&
      !groups.some((g) => Object.hasOwn(ITEM_FIELDS, rowKey(g)))
    ) {
      p(
        `${at}.regex`,
        "needs a named group ip, url or domain_name, as (?P<ip>...), or fields with one",
      );
    }
    return field ? [field] : [];
  });
}

/** The event key of a row's named group: `source_time` → `source time`. */
export function rowKey(group: string): string {
  return group.replace(/_/g, " ");
}

function readValues(p: Problems, at: string, raw: unknown): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  if (!isObj(raw) || !Object.values(raw).every((v) => typeof v === "string")) {
    p(at, "expected a mapping of captured text to the value written");
    return undefined;
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v as string]));
}

function place(p: Problems, at: string, raw: unknown): Place {
  if (raw === undefined || raw === "body") return "body";
  if (raw === "subject") return "subject";
  if (typeof raw === "string" && /^header:[a-z0-9-]+$/i.test(raw)) {
    return `header:${raw.slice(7).toLowerCase()}`;
  }
  p(at, `expected body, subject or header:<name>, got ${JSON.stringify(raw)}`);
  return "body";
}
