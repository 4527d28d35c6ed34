/**
 * Provider templates: a free-form complaint mail (a hoster's netscan notice, a brand
 * protection takedown request, a blocklist's listing notice) read by data, not code. One YAML
 * file in bots/mail/templates/ per sender says how to know its mails (sender, recipient,
 * subject, body) and where the items and other keys are (regexes, blocks read by the items
 * extractor, fallbacks); handlers/template.ts applies it. The format is in templates/README.md.
 *
 * Templates are checked when loaded, every problem at once, each naming file and field
 * (`templates/foo.yaml: match.from: expected a list of addresses`): a broken template must
 * stop the intake at start, not mis-read mail for weeks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseDocument } from "yaml";
import {
  isObj,
  list,
  pattern,
  str,
  unknownKeys,
  type Pattern,
  type Problems,
} from "./template-check.js";
import { ITEM_FIELDS, readFields, readRows, type Field } from "./template-fields.js";

export type { Pattern } from "./template-check.js";

export const CATEGORIES = ["abuse", "fraud", "malware", "info"] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Template {
  name: string;
  /** Where it was read from, for messages (`templates/hetzner.yaml`). */
  file: string;
  feeder: string;
  description: string;
  match: Match;
  category: Category;
  type: string;
  reportType: string | undefined;
  /**
   * `each`: one event per ip, url and domain name found; `one`: one event with them all;
   * `per url` (or ip, domain name): one event per value of that key, the other items on each.
   */
  events: EventsMode;
  /** Tables: each match of a row regex is one event (template-fields.ts readRows). */
  rows: Field[] | undefined;
  /** Event key → its sources, tried in order until one gives values (the fallbacks). */
  fields: Map<string, Field[]>;
  /** Keys that must have a value, else the mail is refused. */
  required: string[];
  constants: Record<string, string[]>;
}

export type EventsMode = "each" | "one" | "per ip" | "per url" | "per domain name";
const EVENTS_MODES: readonly string[] = ["each", "one", "per ip", "per url", "per domain name"];

export interface Match {
  /** Sender globs (`*@hetzner.com`) and domains (`hetzner.com`, its subdomains too). */
  from: string[] | undefined;
  /** Recipient globs and domains, against To, Cc, Delivered-To and X-Original-To. */
  to: string[] | undefined;
  subject: Pattern | undefined;
  body: Pattern | undefined;
}

/** Templates that do not load: every problem, each `file: field: what`. */
export class TemplateError extends Error {
  override name = "TemplateError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

const TOP = [
  "name",
  "feeder",
  "description",
  "match",
  "category",
  "type",
  "report type",
  "events",
  "fields",
  "rows",
  "required",
  "constants",
];
const MATCH = ["from", "to", "subject", "body"];
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const ADDRESS_GLOB = /^[a-z0-9*?_.+=-]*@?[a-z0-9*?.-]+$/i;
/** Keys the handler writes itself; a constant may not replace them. */
const OWN_KEYS = ["report format", "feeder", "category", "type", "report type"];

/** Every `*.yaml` in a directory, sorted by name; throws a TemplateError naming every problem. */
export function loadTemplates(dir: string): Template[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const problems: string[] = [];
  const out: Template[] = [];
  for (const file of files) {
    const label = `${basename(dir)}/${file}`;
    try {
      out.push(readTemplate(readFileSync(join(dir, file), "utf8"), label));
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new TemplateError(problems);
  return out;
}

/** One template from its YAML text; `file` names it in messages and gives the expected name. */
export function readTemplate(text: string, file: string): Template {
  const problems: string[] = [];
  const p: Problems = (at, what) => problems.push(`${file}: ${at}: ${what}`);
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e?.linePos?.[0]?.line;
    throw new TemplateError([
      `${file}: YAML${line ? ` line ${line}` : ""}: ${e?.message.split("\n")[0] ?? "?"}`,
    ]);
  }
  const raw: unknown = doc.toJS();
  if (!isObj(raw))
    throw new TemplateError([`${file}: expected a mapping of name, feeder, match, ...`]);
  unknownKeys(p, "", raw, TOP);

  const expected = basename(file).replace(/\.yaml$/, "");
  const name = str(p, "name", raw["name"], true) ?? expected;
  if (!NAME.test(name))
    p("name", `expected lower-case letters, digits and dashes, got ${JSON.stringify(name)}`);
  else if (name !== expected) p("name", `"${name}" differs from the file name (${expected}.yaml)`);
  const feeder = str(p, "feeder", raw["feeder"], true) ?? "";
  const category = str(p, "category", raw["category"], true) ?? "abuse";
  if (!(CATEGORIES as readonly string[]).includes(category)) {
    p("category", `expected one of ${CATEGORIES.join(", ")}, got ${JSON.stringify(category)}`);
  }
  const events = str(p, "events", raw["events"], false) ?? "each";
  if (!EVENTS_MODES.includes(events)) {
    p("events", `expected ${EVENTS_MODES.join(", ")}, got ${JSON.stringify(events)}`);
  }
  const fields = readFields(p, raw["fields"], raw["rows"] !== undefined);
  const required = list(p, "required", raw["required"], "a list of field names") ?? [];
  for (const [i, key] of required.entries()) {
    if (!fields.has(key)) p(`required[${i}]`, `"${key}" is not one of the fields`);
  }
  const template: Template = {
    name,
    file,
    feeder,
    description: str(p, "description", raw["description"], false) ?? "",
    match: readMatch(p, raw["match"]),
    category: category as Category,
    type: str(p, "type", raw["type"], true) ?? "",
    reportType: str(p, "report type", raw["report type"], false),
    events: EVENTS_MODES.includes(events) ? (events as EventsMode) : "each",
    rows: readRows(
      p,
      raw["rows"],
      [...fields.keys()].some((k) => Object.hasOwn(ITEM_FIELDS, k)),
    ),
    fields,
    required,
    constants: readConstants(p, raw["constants"]),
  };
  if (problems.length > 0) throw new TemplateError(problems);
  return template;
}

function readMatch(p: Problems, raw: unknown): Match {
  const none: Match = { from: undefined, to: undefined, subject: undefined, body: undefined };
  if (!isObj(raw)) {
    p("match", "expected a mapping with from, to, subject or body");
    return none;
  }
  unknownKeys(p, "match.", raw, MATCH);
  const globs = (key: "from" | "to") => {
    const out = list(p, `match.${key}`, raw[key], "a list of addresses");
    for (const [i, g] of (out ?? []).entries()) {
      if (!ADDRESS_GLOB.test(g))
        p(`match.${key}[${i}]`, `"${g}" is not an address, domain or glob`);
    }
    return out?.map((g) => g.toLowerCase());
  };
  const match: Match = {
    from: globs("from"),
    to: globs("to"),
    subject: pattern(p, "match.subject", raw["subject"]),
    body: pattern(p, "match.body", raw["body"]),
  };
  if (raw["from"] === undefined && raw["to"] === undefined && raw["subject"] === undefined) {
    p("match", "needs from, to or subject (body alone would read every mail)");
  }
  return match;
}

function readConstants(p: Problems, raw: unknown): Record<string, string[]> {
  if (raw === undefined) return {};
  if (!isObj(raw)) {
    p("constants", "expected a mapping of key to value or list of values");
    return {};
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (OWN_KEYS.includes(key)) p(`constants.${key}`, "is written from the template's own fields");
    const values = typeof value === "string" ? [value] : value;
    if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) {
      p(`constants.${key}`, "expected a string or a list of strings");
    } else out[key] = values;
  }
  return out;
}
