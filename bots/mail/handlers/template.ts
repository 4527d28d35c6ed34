/**
 * The handler of one provider template (template.ts): it takes a mail when every part of the
 * template's `match` holds (template-match.ts), and reads the template's fields from it, each
 * from the first of its sources that gives a value, or its table rows. Items are checked and
 * written the mesh's way (items.ts) whichever source found them; those in own or ignored
 * networks are dropped or flagged (`network flag`).
 *
 * A mail the template takes but that has no item at all, or lacks a `required` field, is
 * refused with a MailError naming the sources tried: the template no longer fits the
 * provider's mails, and someone should look. A value that is not what its key needs (a
 * captured "300.1.2.3" for ip) is skipped and listed in problems.
 */
import { fileURLToPath } from "node:url";
import { formatTime } from "../../../core/index.js";
import { MailError, type HandlerResult, type MailHandler, type MailInput } from "../handler.js";
import {
  cleanDomain,
  cleanIp,
  cleanUrl,
  extractItems,
  networkFlag,
  type Networks,
} from "../items.js";
import { loadTemplates, type Template } from "../template.js";
import { ITEM_FIELDS, rowKey, type Field } from "../template-fields.js";
import { bodyOf, matcher } from "./template-match.js";

type Fields = Record<string, string[]>;

export interface TemplateOptions {
  /** Own and ignored networks (items.readNetworks). */
  networks?: Networks;
}

/** The templates shipped with the project. */
export const TEMPLATE_DIR = fileURLToPath(new URL("../templates/", import.meta.url));

/** Values kept per field and events per mail: a hostile mail must not become a million events. */
export const MAX_VALUES = 10_000;

const ITEM_KEYS = Object.keys(ITEM_FIELDS);
const CLEAN: Record<string, (v: string) => string | undefined> = {
  ip: cleanIp,
  url: cleanUrl,
  "domain name": (v) => cleanDomain(v),
};
const WHAT: Record<string, string> = {
  ip: "an IP address",
  url: "a URL",
  "domain name": "a domain name",
};

/** One handler per template in `dir`, in file-name order; throws a TemplateError if any is bad. */
export function templateHandlers(dir = TEMPLATE_DIR, opts: TemplateOptions = {}): MailHandler[] {
  return loadTemplates(dir).map((t) => templateHandler(t, opts));
}

export function templateHandler(t: Template, opts: TemplateOptions = {}): MailHandler {
  return { name: `template ${t.name}`, match: matcher(t), read: (mail) => readWith(t, mail, opts) };
}

function readWith(t: Template, mail: MailInput, opts: TemplateOptions): HandlerResult {
  const problems: string[] = [];
  const notes: string[] = [];
  const got = new Map<string, string[]>();
  const derived: string[] = [];
  for (const [key, sources] of t.fields) {
    for (const source of sources) {
      const values = valuesOf(key, source, mail, problems);
      if (values.length === 0) continue;
      if (values.length > MAX_VALUES)
        problems.push(
          `${mail.where}: ${source.at}: ${values.length} values, the first ${MAX_VALUES} kept`,
        );
      got.set(key, values.slice(0, MAX_VALUES));
      if (source.kind === "mail date") derived.push("source time: mail date");
      if (sources.length > 1) notes.push(`${key} from ${source.at} (${source.kind})`);
      break;
    }
  }
  const base: Fields = {
    ...t.constants,
    "report format": [`template ${t.name}`],
    feeder: [t.feeder],
    category: [t.category],
    type: [t.type],
  };
  if (t.reportType) base["report type"] = [t.reportType];
  for (const [key, values] of got) if (!ITEM_KEYS.includes(key)) base[key] = values;
  if (derived.length > 0) base["derived"] = derived;

  // Items the fields found go on every row, under the row's own (URLhaus: the host's address).
  const shared = Object.fromEntries(
    ITEM_KEYS.filter((k) => got.has(k)).map((k) => [k, got.get(k) ?? []]),
  );
  const rows = t.rows ? rowEvents(t.rows, mail, problems, Object.keys(shared).length > 0) : [];
  const tried = (key: string) => (t.fields.get(key) ?? []).map((s) => s.at);
  if (rows.length === 0 && !ITEM_KEYS.some((k) => got.has(k))) {
    const all = [...(t.rows ?? []).map((r) => r.at), ...ITEM_KEYS.flatMap(tried)].join(", ");
    throw new MailError(
      mail.where,
      `template ${t.name}: no ip, url or domain name found (tried ${all})`,
    );
  }
  for (const key of t.required) {
    if (!got.has(key) && !rows.some((r) => r[key])) {
      throw new MailError(
        mail.where,
        `template ${t.name}: no ${key} found (tried ${tried(key).join(", ")})`,
      );
    }
  }
  const events =
    rows.length > 0 ? rows.map((r) => ({ ...base, ...shared, ...r })) : itemEvents(t, base, got);
  return {
    events: opts.networks ? filtered(events, opts.networks, notes) : events,
    problems,
    notes,
  };
}

/** Events from the items found, by the template's `events` mode. */
function itemEvents(t: Template, base: Fields, got: Map<string, string[]>): Fields[] {
  const present = ITEM_KEYS.filter((k) => got.has(k));
  if (t.events === "one")
    return [{ ...base, ...Object.fromEntries(present.map((k) => [k, got.get(k) ?? []])) }];
  const per = t.events.startsWith("per ") ? t.events.slice(4) : undefined;
  if (per && got.has(per)) {
    const others = Object.fromEntries(
      present.filter((k) => k !== per).map((k) => [k, got.get(k) ?? []]),
    );
    return (got.get(per) ?? []).map((v) => ({ ...base, ...others, [per]: [v] }));
  }
  return present.flatMap((key) => (got.get(key) ?? []).map((v) => ({ ...base, [key]: [v] })));
}

/** One event per row match: its named groups, checked as their keys want. */
function rowEvents(
  rows: Field[],
  mail: MailInput,
  problems: string[],
  fieldItems: boolean,
): Fields[] {
  for (const source of rows) {
    const out: Fields[] = [];
    const m = source.pattern?.re.matcher(textOf(mail, source.in));
    const groups = Object.keys(source.pattern?.re.namedGroups() ?? {});
    let n = 0;
    while (m?.find() && out.length < MAX_VALUES) {
      n += 1;
      const at = `${mail.where}: ${source.at}, match ${n}`;
      const row: Fields = {};
      for (const group of groups) {
        const key = rowKey(group);
        const value = readValue(
          key,
          source,
          strip(m.group(group) ?? "", source).trim(),
          at,
          problems,
        );
        if (value !== undefined) row[key] = [value];
      }
      if (ITEM_KEYS.some((k) => row[k]) || fieldItems) out.push(row);
      else problems.push(`${at}: no ip, url or domain name; row skipped`);
    }
    if (out.length > 0) return out;
  }
  return [];
}

/** The values one source gives for a key (deduplicated, in order). */
function valuesOf(key: string, source: Field, mail: MailInput, problems: string[]): string[] {
  const kind = ITEM_FIELDS[key];
  if (source.kind === "mail date") {
    const date = mail.parsed.date;
    return date && !Number.isNaN(date.getTime()) ? [formatTime(date)] : [];
  }
  const text = textOf(mail, source.in);
  if (source.kind === "items")
    return kind ? extractItems(text, { kinds: [kind] }).items.map((i) => i.value) : [];
  const out: string[] = [];
  const m = source.pattern?.re.matcher(text);
  const named = Object.hasOwn(source.pattern?.re.namedGroups() ?? {}, "value");
  while (m?.find() && out.length <= MAX_VALUES) {
    const captured = strip(
      (named ? m.group("value") : m.groupCount() > 0 ? m.group(1) : m.group(0)) ?? "",
      source,
    );
    if (source.kind === "block") {
      if (kind) out.push(...extractItems(captured, { kinds: [kind] }).items.map((i) => i.value));
    } else {
      const value = readValue(
        key,
        source,
        captured.trim(),
        `${mail.where}: ${source.at}`,
        problems,
      );
      if (value !== undefined) out.push(value);
    }
    if (source.first) break;
  }
  return [...new Set(out)];
}

function strip(text: string, source: Field): string {
  return source.strip.reduce((t, s) => t.split(s).join(""), text);
}

/** A captured value as its key wants it, or undefined (and a problem) when it is not one. */
function readValue(
  key: string,
  source: Field,
  text: string,
  at: string,
  problems: string[],
): string | undefined {
  if (text === "") return undefined;
  const clean = CLEAN[key];
  if (clean) {
    const value = clean(text);
    if (value === undefined)
      problems.push(
        `${at}: ${JSON.stringify(text.slice(0, 200))} is not ${WHAT[key] ?? key}; skipped`,
      );
    return value;
  }
  if (key === "source time" && source.time) {
    const time = source.time.parse(text);
    if (time === undefined)
      problems.push(
        `${at}: ${JSON.stringify(text.slice(0, 80))} is not a time (${source.time.format})`,
      );
    return time;
  }
  // A value wrapped across lines is one value: its line breaks are blanks.
  const one = text.replace(/\s+/g, " ");
  const value = source.lower ? one.toLowerCase() : one;
  // With `values`, only the texts it names count: the next source, or the template's default, has the rest.
  return source.values ? source.values[value.toLowerCase()] : value;
}

/** Events without the addresses in own or ignored networks, or with them flagged. */
function filtered(events: Fields[], nets: Networks, notes: string[]): Fields[] {
  return events.flatMap((event) => {
    const flags: string[] = [];
    for (const key of ["ip", "url"] as const) {
      const values = event[key];
      if (!values) continue;
      const kept = values.filter((value) => {
        const flag = networkFlag({ kind: key, value }, nets);
        if (!flag) return true;
        if (nets.action === "mark") {
          flags.push(values.length > 1 ? `${flag}: ${value}` : flag);
          return true;
        }
        notes.push(`${key} ${value} dropped (${flag})`);
        return false;
      });
      if (kept.length > 0) event[key] = kept;
      else delete event[key];
    }
    if (flags.length > 0) event["network flag"] = flags;
    return ITEM_KEYS.some((k) => event[k]) ? [event] : [];
  });
}

function textOf(mail: MailInput, place: Field["in"]): string {
  if (place === "subject") return mail.parsed.subject ?? "";
  if (place === "body") return bodyOf(mail);
  return (mail.headers.get(place.slice(7)) ?? []).join("\n");
}
