/**
 * The Shadowserver mapping: per report type (the file name's `scan_http`) its feed name,
 * classification and columns, and how a column becomes an event key. A column's rule is the
 * report's own (`map`), else the shared one (`common`), else the generic one: the column's
 * name in lower case with spaces (AbuseHelper keeps a feed's own names where the vocabulary has
 * none). mapping.json beside this file is the shipped one; `shadowserver-schema` writes an
 * updated one from Shadowserver's published schema (schema.ts).
 *
 * In the file, `columns` and `groups` are space-separated names (Shadowserver's never hold a
 * space), and `@scan` stands for the columns of group `scan`, which most reports share.
 */
import { readFileSync } from "node:fs";
import { CONVERTERS, isConverter, type ConverterName } from "./convert.js";

export interface ColumnRule {
  /** The event key; null drops the column. */
  key: string | null;
  convert: ConverterName;
}

export interface ReportRule {
  /** Shadowserver's feed name (`Accessible-HTTP`). */
  feed: string;
  /** Shadowserver's classification, `taxonomy/type` (`vulnerable/vulnerable-system`). */
  classification?: string;
  /** The mesh's category and type (xarf.ts and arf.ts use the same ones). */
  category?: string;
  type?: string;
  /** Keys every event of the report gets (`service: http`). */
  set?: Record<string, string>;
  /** The report's columns, as published. */
  columns: string[];
  /** Rules of this report that differ from the common and generic ones. */
  map?: Record<string, ColumnRule>;
  /** Shadowserver's page on the report. */
  url?: string;
}

export interface Mapping {
  format: 1;
  /** Where the mapping was written from. */
  source: string;
  /** The schema's own date (`_meta.date_created`), when it came from one. */
  date?: string;
  groups: Record<string, string[]>;
  /** Older report names → the type that replaced them (`ddos_amplification`). */
  aliases?: Record<string, string>;
  common: Record<string, ColumnRule>;
  reports: Record<string, ReportRule>;
}

/** Keys the handler sets itself: a column may not overwrite them. */
export const HANDLER_KEYS = ["report format", "report type", "feed", "feeder", "category", "type"];

/** The generic key of a column: `http_code` → `http code`; a handler key gets a prefix. */
export function genericKey(column: string): string {
  const key = column.toLowerCase().replace(/_/g, " ").trim();
  return HANDLER_KEYS.includes(key) ? `shadowserver ${key}` : key;
}

/** How a column of a report becomes event keys. */
export function ruleFor(
  mapping: Mapping,
  report: ReportRule | undefined,
  column: string,
): ColumnRule {
  return (
    report?.map?.[column] ?? mapping.common[column] ?? { key: genericKey(column), convert: "text" }
  );
}

/** A mapping file's content that is not what it should be: where and what. */
export class MappingError extends Error {
  override name = "MappingError";
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function names(v: unknown, where: string, groups: Record<string, string[]>): string[] {
  if (typeof v !== "string") throw new MappingError(`${where}: expected a string of column names`);
  const out: string[] = [];
  for (const name of v.split(/\s+/).filter((n) => n !== "")) {
    if (!name.startsWith("@")) out.push(name);
    else {
      const group = groups[name.slice(1)];
      if (!group) throw new MappingError(`${where}: no group ${JSON.stringify(name.slice(1))}`);
      out.push(...group);
    }
  }
  return [...new Set(out)];
}

function rule(v: unknown, where: string, column: string): ColumnRule {
  if (!isObject(v)) throw new MappingError(`${where}: expected { "key": ..., "convert": ... }`);
  const key = v["key"] === undefined ? genericKey(column) : v["key"];
  const convert = v["convert"] ?? "text";
  if (key !== null && (typeof key !== "string" || key === "")) {
    throw new MappingError(`${where}.key: expected a key name or null`);
  }
  if (typeof key === "string" && HANDLER_KEYS.includes(key)) {
    throw new MappingError(`${where}.key: ${JSON.stringify(key)} is set by the handler`);
  }
  if (typeof convert !== "string" || !isConverter(convert)) {
    throw new MappingError(`${where}.convert: expected one of ${CONVERTERS.join(", ")}`);
  }
  return { key, convert };
}

function rules(v: unknown, where: string): Record<string, ColumnRule> {
  if (v === undefined) return {};
  if (!isObject(v)) throw new MappingError(`${where}: expected an object of column rules`);
  const out: Record<string, ColumnRule> = {};
  for (const [column, r] of Object.entries(v)) out[column] = rule(r, `${where}.${column}`, column);
  return out;
}

function text(v: unknown, where: string): string {
  if (typeof v !== "string" || v === "") throw new MappingError(`${where}: expected a string`);
  return v;
}

function report(v: unknown, where: string, groups: Record<string, string[]>): ReportRule {
  if (!isObject(v)) throw new MappingError(`${where}: expected an object`);
  const out: ReportRule = { feed: text(v["feed"], `${where}.feed`), columns: [] };
  for (const field of ["classification", "category", "type", "url"] as const) {
    if (v[field] !== undefined) out[field] = text(v[field], `${where}.${field}`);
  }
  if (v["set"] !== undefined) {
    const set = v["set"];
    if (!isObject(set)) throw new MappingError(`${where}.set: expected an object of key: value`);
    out.set = {};
    for (const [key, value] of Object.entries(set))
      out.set[key] = text(value, `${where}.set.${key}`);
  }
  out.columns = names(v["columns"], `${where}.columns`, groups);
  const map = rules(v["map"], `${where}.map`);
  if (Object.keys(map).length > 0) out.map = map;
  return out;
}

/** Check a parsed mapping file; throws a MappingError naming the first bad entry. */
export function checkMapping(raw: unknown, where = "mapping"): Mapping {
  if (!isObject(raw)) throw new MappingError(`${where}: expected a JSON object`);
  if (raw["format"] !== 1) throw new MappingError(`${where}.format: expected 1`);
  if (!isObject(raw["groups"])) throw new MappingError(`${where}.groups: expected an object`);
  if (!isObject(raw["reports"])) throw new MappingError(`${where}.reports: expected an object`);
  const groups: Record<string, string[]> = {};
  for (const [name, cols] of Object.entries(raw["groups"])) {
    groups[name] = names(cols, `${where}.groups.${name}`, groups);
  }
  const reports: Record<string, ReportRule> = {};
  for (const [type, r] of Object.entries(raw["reports"])) {
    reports[type] = report(r, `${where}.reports.${type}`, groups);
  }
  const out: Mapping = {
    format: 1,
    source: text(raw["source"], `${where}.source`),
    groups,
    common: rules(raw["common"], `${where}.common`),
    reports,
  };
  if (raw["date"] !== undefined) out.date = text(raw["date"], `${where}.date`);
  if (raw["aliases"] !== undefined) {
    const aliases = raw["aliases"];
    if (!isObject(aliases)) throw new MappingError(`${where}.aliases: expected an object`);
    out.aliases = {};
    for (const [from, to] of Object.entries(aliases)) {
      const type = text(to, `${where}.aliases.${from}`);
      if (!reports[type]) throw new MappingError(`${where}.aliases.${from}: no report ${type}`);
      out.aliases[from] = type;
    }
  }
  return out;
}

/** Read and check a mapping file. */
export function readMapping(file: string | URL): Mapping {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new MappingError(`${String(file)}: ${(err as Error).message}`);
  }
  return checkMapping(raw, String(file));
}

export const SHIPPED_MAPPING = new URL("./mapping.json", import.meta.url);

/** The mapping shipped with the project (written from Shadowserver's published field lists). */
export function shippedMapping(): Mapping {
  return readMapping(SHIPPED_MAPPING);
}

/** The rule of a report type, through the aliases; undefined for a type the mapping lacks. */
export function reportOf(
  mapping: Mapping,
  type: string,
): { type: string; report: ReportRule } | undefined {
  const own = mapping.reports[type];
  if (own) return { type, report: own };
  const to = mapping.aliases?.[type];
  const report = to === undefined ? undefined : mapping.reports[to];
  return to === undefined || !report ? undefined : { type: to, report };
}

/** The report types whose feed name is `feed` (a subject names the feed, not the type). */
export function typesOfFeed(mapping: Mapping, feed: string): string[] {
  const want = feed.toLowerCase();
  return Object.entries(mapping.reports)
    .filter(([, r]) => r.feed.toLowerCase() === want)
    .map(([type]) => type);
}
