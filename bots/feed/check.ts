/**
 * Shape checks for the `format`, `map` and `auth` params (and the presets, in the tests): a
 * config mistake is reported at `startup.ts check` time with the path of the bad value and
 * every problem at once, not as an odd poll result hours later.
 */
import { ParamError } from "../../core/index.js";
import { timeParser } from "./time.js";
import type { FeedSpec, FieldRule, FormatSpec, Mapping } from "./types.js";

type Obj = Record<string, unknown>;

const KEYS: Record<string, string[]> = {
  csv: [
    "type",
    "delimiter",
    "comment",
    "columns",
    "relaxQuotes",
    "relaxColumnCount",
    "trim",
    "skipLines",
  ],
  json: ["type", "path", "lines"],
  list: ["type", "kind", "comment", "rest"],
  rss: ["type"],
  rule: ["key", "time", "split", "lower", "values", "match", "groups", "template"],
  map: ["fields", "constants", "keepUnmapped"],
};

class Problems {
  readonly list: string[] = [];
  add(at: string, message: string): void {
    this.list.push(`${at}: ${message}`);
  }
  throwIfAny(what: string): void {
    if (this.list.length > 0) throw new ParamError(`bad ${what}: ${this.list.join("; ")}`);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const squash = (k: string) => k.toLowerCase().replace(/[_-]/g, "");

/** Report keys not in `known`, suggesting the one meant (`relax_quotes` → `relaxQuotes`). */
function unknownKeys(p: Problems, at: string, obj: Obj, known: string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => squash(k) === squash(key));
    p.add(
      `${at}.${key}`,
      `unknown key${near ? ` (did you mean ${near}?)` : ` (known: ${known.join(", ")})`}`,
    );
  }
}

function want(
  p: Problems,
  at: string,
  value: unknown,
  type: "string" | "boolean" | "number",
): void {
  if (value !== undefined && typeof value !== type)
    p.add(at, `expected a ${type}, got ${JSON.stringify(value)}`);
}

function stringList(p: Problems, at: string, value: unknown): void {
  if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) {
    p.add(at, "expected a list of strings");
  }
}

export function checkFormat(raw: unknown): FormatSpec {
  const p = new Problems();
  if (!isObj(raw)) throw new ParamError("expected a mapping like { type: csv, columns: header }");
  const type = raw["type"];
  if (typeof type !== "string" || !["csv", "json", "list", "rss"].includes(type)) {
    throw new ParamError(
      `format.type: expected csv, json, list or rss, got ${JSON.stringify(type)}`,
    );
  }
  unknownKeys(p, "format", raw, KEYS[type] ?? []);
  if (type === "csv") {
    const cols = raw["columns"];
    if (
      cols !== "header" &&
      !(Array.isArray(cols) && cols.length > 0 && cols.every((c) => typeof c === "string"))
    ) {
      p.add("format.columns", 'expected "header" or a list of column names');
    }
    for (const k of ["delimiter", "comment"]) want(p, `format.${k}`, raw[k], "string");
    if (typeof raw["delimiter"] === "string" && raw["delimiter"].length === 0)
      p.add("format.delimiter", "is empty");
    for (const k of ["relaxQuotes", "relaxColumnCount", "trim"])
      want(p, `format.${k}`, raw[k], "boolean");
    const skip = raw["skipLines"];
    if (skip !== undefined && !(Number.isInteger(skip) && (skip as number) >= 0))
      p.add("format.skipLines", "expected a whole number");
  } else if (type === "json") {
    want(p, "format.path", raw["path"], "string");
    want(p, "format.lines", raw["lines"], "boolean");
  } else if (type === "list") {
    const kind = raw["kind"];
    if (
      kind !== undefined &&
      !["auto", "ip", "cidr", "range", "domain", "url"].includes(kind as string)
    ) {
      p.add(
        "format.kind",
        `expected auto, ip, cidr, range, domain or url, got ${JSON.stringify(kind)}`,
      );
    }
    stringList(p, "format.comment", raw["comment"]);
    want(p, "format.rest", raw["rest"], "string");
  }
  p.throwIfAny("format");
  return raw as FormatSpec;
}

function checkRule(p: Problems, at: string, rule: unknown): void {
  if (typeof rule === "string") {
    if (rule.trim() === "") p.add(at, "empty key");
    return;
  }
  if (!isObj(rule)) return p.add(at, "expected a key name or a mapping like { key: ip }");
  unknownKeys(p, at, rule, KEYS["rule"] ?? []);
  if (rule["groups"] !== undefined) checkGroups(p, at, rule);
  else if (typeof rule["key"] !== "string" || rule["key"].trim() === "")
    p.add(`${at}.key`, "required: the event key to write (or groups with match)");
  for (const k of ["split", "match", "template"]) want(p, `${at}.${k}`, rule[k], "string");
  if (typeof rule["template"] === "string" && !/\{[^{}]+\}/.test(rule["template"])) {
    p.add(`${at}.template`, "names no field: write fields as {name}, e.g. {Start}-{End}");
  }
  want(p, `${at}.lower`, rule["lower"], "boolean");
  const r = rule as Partial<FieldRule>;
  if (typeof r.time === "string") {
    try {
      timeParser(r.time);
    } catch (err) {
      p.add(`${at}.time`, `${(err as Error).message}; or use iso, unix, unix-ms, rfc2822, auto`);
    }
  } else want(p, `${at}.time`, r.time, "string");
  if (typeof r.match === "string") {
    try {
      new RegExp(r.match);
    } catch (err) {
      p.add(`${at}.match`, (err as Error).message);
    }
  }
  const values = rule["values"];
  if (
    values !== undefined &&
    !(isObj(values) && Object.values(values).every((v) => typeof v === "string"))
  ) {
    p.add(`${at}.values`, "expected a mapping of value to value");
  }
}

/** `groups` replaces `key`: it needs a `match` that names each group it lists. */
function checkGroups(p: Problems, at: string, rule: Obj): void {
  const groups = rule["groups"];
  if (!isObj(groups) || !Object.values(groups).every((k) => typeof k === "string" && k !== "")) {
    return p.add(`${at}.groups`, "expected a mapping of match group to key, e.g. { ip: ip }");
  }
  if (rule["key"] !== undefined) p.add(`${at}.key`, "give key or groups, not both");
  if (rule["time"] !== undefined) p.add(`${at}.time`, "cannot be combined with groups");
  const match = rule["match"];
  if (typeof match !== "string") {
    return p.add(`${at}.groups`, "needs match: a regex with named groups like (?<ip>...)");
  }
  let names: string[];
  try {
    // An empty alternative always matches, and lists every named group (unset).
    names = Object.keys(new RegExp(`(?:${match})|`).exec("")?.groups ?? {});
  } catch {
    return; // the bad regex is reported under match
  }
  for (const group of Object.keys(groups)) {
    if (!names.includes(group))
      p.add(`${at}.groups.${group}`, `match has no group (?<${group}>...)`);
  }
}

export function checkMapping(raw: unknown): Mapping {
  const p = new Problems();
  if (!isObj(raw))
    throw new ParamError(
      "expected a mapping like { fields: { ip: ip }, constants: { type: scanner } }",
    );
  unknownKeys(p, "map", raw, KEYS["map"] ?? []);
  const fields = raw["fields"] ?? {};
  if (!isObj(fields)) p.add("map.fields", "expected a mapping of source field to key or rule");
  else for (const [name, rule] of Object.entries(fields)) checkRule(p, `map.fields.${name}`, rule);
  const constants = raw["constants"];
  if (constants !== undefined) {
    if (!isObj(constants)) p.add("map.constants", "expected a mapping of key to value(s)");
    else
      for (const [k, v] of Object.entries(constants)) {
        if (typeof v !== "string") stringList(p, `map.constants.${k}`, v);
      }
  }
  want(p, "map.keepUnmapped", raw["keepUnmapped"], "boolean");
  p.throwIfAny("map");
  return { ...raw, fields } as Mapping;
}

export type Auth = NonNullable<FeedSpec["auth"]>;

export function checkAuth(raw: unknown): Auth {
  const p = new Problems();
  if (!isObj(raw) || typeof raw["env"] !== "string") {
    throw new ParamError(
      "expected { header: Authorization, env: MY_FEED_KEY, scheme: Bearer }, { query: key, env: MY_FEED_KEY } or { url: true, env: MY_FEED_KEY }",
    );
  }
  const kinds = [
    typeof raw["header"] === "string",
    typeof raw["query"] === "string",
    raw["url"] === true,
  ];
  if (kinds.filter(Boolean).length !== 1)
    p.add("auth", "give exactly one of header, query or url: true");
  const known = kinds[0]
    ? ["header", "env", "scheme"]
    : kinds[1]
      ? ["query", "env"]
      : ["url", "env"];
  unknownKeys(p, "auth", raw, known);
  want(p, "auth.scheme", raw["scheme"], "string");
  p.throwIfAny("auth");
  return raw as Auth;
}

/** The placeholder an `auth: { url: true }` secret replaces (as written, or as URL-encoded). */
export const SECRET_PLACEHOLDER = "{secret}";

export function hasPlaceholder(url: string): boolean {
  return url.includes(SECRET_PLACEHOLDER) || /%7Bsecret%7D/i.test(url);
}

/** Why a URL and an auth do not go together, or undefined. */
export function authTrouble(url: string, auth: Auth | undefined): string | undefined {
  const inUrl = auth !== undefined && "url" in auth;
  if (inUrl && !hasPlaceholder(url))
    return `auth.url: the url needs a ${SECRET_PLACEHOLDER} placeholder for the secret ${auth.env}`;
  if (!inUrl && hasPlaceholder(url))
    return `url: ${SECRET_PLACEHOLDER} is filled only by auth: { url: true, env: NAME }`;
  return undefined;
}
