/**
 * Records to events by a Mapping (types.ts). Compiled once per poll: regexes, time parsers and
 * lookups are built here so the per-record work is a few map lookups. The events made here
 * carry no `observation time`: the caller adds it after computing the event id, so an
 * unchanged row gives the same id on every poll.
 */
import { Event } from "../../core/index.js";
import type { EntryKind, FeedRecord } from "./record.js";
import { describeTime, timeParser, type TimeParser } from "./time.js";
import type { FieldRule, Mapping } from "./types.js";

/** A value that cannot be used (a bad time): the record is skipped and counted. */
export class MappingError extends Error {
  override name = "MappingError";
}

/** Event key for each kind of plain-list entry. */
export const ENTRY_KEYS: Record<EntryKind, string> = {
  ip: "ip",
  cidr: "netblock",
  range: "netblock",
  domain: "domain name",
  url: "url",
};

interface Compiled {
  source: string;
  key: string;
  split: string | undefined;
  lower: boolean;
  values: Record<string, string> | undefined;
  match: RegExp | undefined;
  /** [group, key] pairs: the named groups of `match` written instead of `key`. */
  groups: [string, string][] | undefined;
  time: { parse: TimeParser; format: string } | undefined;
  template: ((fields: FeedRecord["fields"]) => string | undefined) | undefined;
}

/** `{a}-{b}` → a function of the record's fields, undefined when a named field is empty. */
export function compileTemplate(
  template: string,
): (fields: FeedRecord["fields"]) => string | undefined {
  const parts = template.split(/\{([^{}]+)\}/); // odd indexes are field names
  return (fields) => {
    let out = "";
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i % 2 === 0) {
        out += part;
        continue;
      }
      const raw = fields[part];
      const value = (typeof raw === "string" ? raw : raw?.[0])?.trim();
      if (!value) return undefined;
      out += value;
    }
    return out;
  };
}

function compileRule(source: string, rule: string | FieldRule): Compiled {
  const r: FieldRule = typeof rule === "string" ? { key: rule } : rule;
  return {
    source,
    key: r.key ?? "",
    split: r.split,
    lower: r.lower ?? false,
    values: r.values,
    match: r.match === undefined ? undefined : new RegExp(r.match),
    groups: r.groups === undefined ? undefined : Object.entries(r.groups),
    time: r.time === undefined ? undefined : { parse: timeParser(r.time), format: r.time },
    template: r.template === undefined ? undefined : compileTemplate(r.template),
  };
}

export interface MappingContext {
  /** Feed name, the `feed` key unless the constants give one. */
  feed: string;
  /** Where the feed came from (credentials removed), the `feed url` key. */
  feedUrl?: string;
}

/** The event of a record, or undefined when no mapped field had a value. */
export type Mapper = (record: FeedRecord) => Event | undefined;

/** Compile a mapping; throws on a bad regex or time pattern (checked at config time too). */
export function compileMapping(map: Mapping, ctx: MappingContext): Mapper {
  const rules = Object.entries(map.fields).map(([source, rule]) => compileRule(source, rule));
  const mapped = new Set(rules.map((r) => r.source));
  const constants: [string, string[]][] = Object.entries(map.constants ?? {}).map(([k, v]) => [
    k,
    typeof v === "string" ? [v] : v,
  ]);
  if (!Object.hasOwn(map.constants ?? {}, "feed")) constants.push(["feed", [ctx.feed]]);
  if (ctx.feedUrl !== undefined) constants.push(["feed url", [ctx.feedUrl]]);
  const keepUnmapped = map.keepUnmapped ?? false;

  return (record) => {
    const event = new Event();
    for (const rule of rules) {
      const raw = rule.template ? rule.template(record.fields) : record.fields[rule.source];
      if (raw !== undefined) addField(event, rule, raw);
    }
    // Plain lists: the entry goes to a key by its kind unless the mapping names it.
    if (record.kind !== undefined) {
      const entry = record.fields["entry"];
      if (!mapped.has("entry") && typeof entry === "string")
        event.add(ENTRY_KEYS[record.kind], entry);
      const description = record.fields["description"];
      if (!mapped.has("description") && typeof description === "string")
        event.add("description", description);
    } else if (keepUnmapped) {
      for (const [name, raw] of Object.entries(record.fields)) {
        if (mapped.has(name)) continue;
        for (const value of typeof raw === "string" ? [raw] : raw) {
          const v = value.trim();
          if (v !== "") event.add(name.toLowerCase(), v);
        }
      }
    }
    if (event.size === 0) return undefined;
    for (const [key, values] of constants) event.update(key, values);
    return event;
  };
}

function addField(event: Event, rule: Compiled, raw: string | string[]): void {
  for (const whole of typeof raw === "string" ? [raw] : raw) {
    const parts = rule.split === undefined ? [whole] : whole.split(rule.split);
    for (const part of parts) {
      let value = part.trim();
      if (value === "") continue;
      if (rule.lower) value = value.toLowerCase();
      if (rule.values !== undefined && Object.hasOwn(rule.values, value))
        value = rule.values[value] as string;
      const found = rule.match?.exec(value);
      if (found === null) continue;
      if (rule.groups !== undefined) {
        for (const [group, key] of rule.groups) {
          const part = found?.groups?.[group]?.trim();
          if (part) event.add(key, part);
        }
        continue;
      }
      if (rule.time !== undefined) {
        const time = rule.time.parse(value);
        if (time === undefined) {
          throw new MappingError(
            `field ${JSON.stringify(rule.source)}: ${JSON.stringify(value.slice(0, 80))} is not ${describeTime(rule.time.format)}`,
          );
        }
        value = time;
      }
      if (value !== "") event.add(rule.key, value);
    }
  }
}
