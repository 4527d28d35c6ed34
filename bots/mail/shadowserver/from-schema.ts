/**
 * Shadowserver's published report schema (the one IntelMQ downloads from
 * interchange.shadowserver.org/intelmq/v1/schema) → our mapping. The schema is an object of
 * reports, each with `file_name` (the report type), `feed_name`, `url`, `constant_fields`
 * (classification.taxonomy/type, protocol.application/transport) and `required_fields` /
 * `optional_fields` as [IntelMQ key, column, converter name?, row flag?], plus `_meta`
 * (`date_created`, `change_log`). IntelMQ keys and converters are translated to our keys and
 * converters; our own choices in the previous mapping (groups, aliases, common rules, the
 * category and type of a report whose Shadowserver classification has not changed) are kept.
 */
import type { ConverterName } from "./convert.js";
import {
  genericKey,
  MappingError,
  ruleFor,
  type ColumnRule,
  type Mapping,
  type ReportRule,
} from "./mapping.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** IntelMQ keys of the event's own address → our key and converter. */
const SOURCE: Record<string, [string, ConverterName]> = {
  "time.source": ["source time", "time"],
  "source.ip": ["ip", "ip"],
  "source.port": ["port", "int"],
  "source.asn": ["asn", "asn"],
  "source.geolocation.cc": ["cc", "cc"],
  "source.geolocation.region": ["region", "text"],
  "source.geolocation.city": ["city", "text"],
  "source.reverse_dns": ["hostname", "lower"],
  "source.fqdn": ["domain name", "domain"],
  "source.url": ["url", "url"],
  "source.network": ["netblock", "network"],
  "protocol.transport": ["protocol", "lower"],
  "protocol.application": ["service", "lower"],
  "malware.name": ["malware family", "lower"],
  "event_description.text": ["description", "text"],
  severity: ["severity", "lower"],
  "extra.source.naics": ["naics", "nonzero"],
  "extra.source.sector": ["sector", "text"],
  "extra.naics": ["naics", "nonzero"],
  "extra.sector": ["sector", "text"],
};

/** The converter a key's last part asks for, where the key keeps the column's own name. */
const BY_KIND: Record<string, ConverterName> = {
  ip: "ip",
  port: "int",
  asn: "asn",
  cc: "cc",
  reverse_dns: "lower",
  fqdn: "domain",
  url: "url",
  naics: "nonzero",
  network: "network",
};

/** IntelMQ converters that say something our converters check. */
const BY_FUNCTION: Record<string, ConverterName> = {
  add_UTC_to_timestamp: "time",
  convert_date: "time",
  convert_date_utc: "time",
  validate_ip: "ip",
  validate_network: "network",
  validate_fqdn: "domain",
  invalidate_zero: "nonzero",
};

/** IntelMQ keys that are no column rule of ours (the report's classification, CVEs from tags). */
const SKIP = /^(classification\.|product\.vulnerabilities$|feed\.|raw$)/;

/**
 * One [IntelMQ key, column, function?] entry → our rule, or undefined to look further. A
 * plain `extra.` entry is weak: it says IntelMQ has no field for the column, nothing about
 * ours, so a rule of ours for the column (the report's or the common one) stands.
 */
function translate(
  key: unknown,
  column: string,
  fn: unknown,
): { rule: ColumnRule; weak: boolean } | undefined {
  if (key === false) return { rule: { key: null, convert: "text" }, weak: false };
  if (typeof key !== "string" || SKIP.test(key)) return undefined;
  const own = SOURCE[key];
  if (own) return { rule: { key: own[0], convert: own[1] }, weak: false };
  const weak = key === "extra.";
  const kind = key.split(".").pop() ?? "";
  const convert =
    (weak ? undefined : BY_KIND[kind]) ??
    (typeof fn === "string" ? BY_FUNCTION[fn] : undefined) ??
    (key.endsWith("geolocation.cc") ? "cc" : "text");
  return { rule: { key: genericKey(column), convert }, weak };
}

/** Shadowserver classification (taxonomy/type) → [category, type] of the mesh. */
const CLASSES: Record<string, [string, string]> = {
  "vulnerable/vulnerable-system": ["info", "vulnerable service"],
  "vulnerable/weak-crypto": ["info", "vulnerable service"],
  "vulnerable/potentially-unwanted-accessible": ["info", "open service"],
  "other/other": ["info", "other"],
  "other/blocklist": ["info", "blocklisted"],
  "other/blacklist": ["info", "blocklisted"],
  "other/undetermined": ["info", "other"],
  "malicious-code/infected-system": ["malware", "infected host"],
  "malicious-code/malware-distribution": ["malware", "malware"],
  "malicious-code/c2-server": ["malware", "c&c"],
  "intrusions/system-compromise": ["malware", "compromised server"],
  "intrusion-attempts/brute-force": ["abuse", "login attack"],
  "intrusion-attempts/exploit": ["abuse", "exploit"],
  "information-gathering/scanner": ["abuse", "scanner"],
  "availability/ddos": ["abuse", "ddos"],
  "fraud/masquerade": ["fraud", "masquerade"],
  "fraud/phishing": ["fraud", "phishing"],
  "abusive-content/spam": ["abuse", "spam"],
  "information-content-security/data-leak": ["info", "exposed data"],
};

export function classify(classification: string): [string, string] {
  return (
    CLASSES[classification] ?? [
      "info",
      (classification.split("/")[1] ?? "other").replace(/-/g, " "),
    ]
  );
}

function fieldList(v: unknown, where: string): unknown[][] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((f) => Array.isArray(f) && typeof f[1] === "string")) {
    throw new MappingError(`${where}: expected a list of [key, column, ...] entries`);
  }
  return v as unknown[][];
}

function convertReport(
  name: string,
  entry: Json,
  base: Mapping,
  before: ReportRule | undefined,
): [string, ReportRule] {
  const type = typeof entry["file_name"] === "string" ? entry["file_name"] : name;
  const feed = typeof entry["feed_name"] === "string" ? entry["feed_name"] : type;
  const constants = isObject(entry["constant_fields"]) ? entry["constant_fields"] : {};
  const out: ReportRule = { feed, columns: [] };
  const taxonomy = constants["classification.taxonomy"];
  const kind = constants["classification.type"];
  if (typeof taxonomy === "string" && typeof kind === "string") {
    out.classification = `${taxonomy}/${kind}`;
  }
  // Our choice stands while Shadowserver's classification of the report stays as it was.
  const keep =
    before && (before.classification === undefined || before.classification === out.classification);
  const [category, meshType] = keep
    ? [before.category, before.type]
    : out.classification
      ? classify(out.classification)
      : [undefined, undefined];
  if (category !== undefined) out.category = category;
  if (meshType !== undefined) out.type = meshType;
  // The schema's constants fill in what we have not chosen; our names stand (scan_stun: stun,
  // where the schema says "Session Traversal Utilities for NAT").
  const set: Record<string, string> = {};
  const application = constants["protocol.application"];
  const transport = constants["protocol.transport"];
  if (typeof application === "string") set["service"] = application.toLowerCase();
  if (typeof transport === "string") set["protocol"] = transport.toLowerCase();
  Object.assign(set, before?.set);
  if (Object.keys(set).length > 0) out.set = set;

  const rules = new Map<string, { rule: ColumnRule; weak: boolean }>();
  const where = `schema ${name}`;
  const fields = [
    ...fieldList(entry["required_fields"], `${where}.required_fields`),
    ...fieldList(entry["optional_fields"], `${where}.optional_fields`),
  ];
  for (const [key, column, fn] of fields) {
    const col = column as string;
    if (!out.columns.includes(col)) out.columns.push(col);
    // The blocklist's ip column is an address or a network (source.ip and source.network).
    const had = rules.get(col);
    if (had?.rule.key === "ip" && key === "source.network") {
      rules.set(col, { rule: { key: "ip", convert: "address" }, weak: false });
    }
    if (had) continue;
    const translated = translate(key, col, fn);
    if (translated) rules.set(col, translated);
  }
  const map: Record<string, ColumnRule> = {};
  for (const [col, { rule, weak }] of rules) {
    const ours = before?.map?.[col];
    if (weak && ours) {
      map[col] = ours;
      continue;
    }
    const usual = ruleFor(base, undefined, col);
    // "text" says nothing about the value: a common rule for the same key (tag: list) stands.
    const same =
      (weak && base.common[col] !== undefined) ||
      (rule.key === usual.key && (rule.convert === usual.convert || rule.convert === "text"));
    if (!same) map[col] = rule;
  }
  if (Object.keys(map).length > 0) out.map = map;
  if (typeof entry["url"] === "string") out.url = entry["url"];
  return [type, out];
}

/** The schema's date and change log, when it has a `_meta`. */
export function schemaMeta(schema: unknown): { date?: string; changes: string[] } {
  const meta = isObject(schema) && isObject(schema["_meta"]) ? schema["_meta"] : {};
  const log = Array.isArray(meta["change_log"]) ? meta["change_log"] : [];
  const out: { date?: string; changes: string[] } = {
    changes: log.filter((l): l is string => typeof l === "string"),
  };
  if (typeof meta["date_created"] === "string") out.date = meta["date_created"];
  return out;
}

/**
 * A mapping from the parsed schema document; `base` gives the groups, aliases and common rules
 * and the category and type chosen for known reports. Throws a MappingError on a document that
 * is not such a schema.
 */
export function mappingFromSchema(schema: unknown, base: Mapping, source: string): Mapping {
  if (!isObject(schema)) throw new MappingError("schema: expected a JSON object of reports");
  const reports: Record<string, ReportRule> = {};
  for (const [name, entry] of Object.entries(schema)) {
    if (name === "_meta") continue;
    if (!isObject(entry)) throw new MappingError(`schema ${name}: expected an object`);
    const type = typeof entry["file_name"] === "string" ? entry["file_name"] : name;
    const [t, report] = convertReport(name, entry, base, base.reports[type]);
    reports[t] = report;
  }
  if (Object.keys(reports).length === 0) throw new MappingError("schema: no reports in it");
  const out: Mapping = { format: 1, source, groups: base.groups, common: base.common, reports };
  const { date } = schemaMeta(schema);
  if (date !== undefined) out.date = date;
  const aliases = Object.entries(base.aliases ?? {}).filter(([, to]) => reports[to]);
  if (aliases.length > 0) out.aliases = Object.fromEntries(aliases);
  return out;
}
