/**
 * Value converters of the Shadowserver mapping: one CSV value in, the event's values out, or
 * why the value is unusable. An empty value yields nothing (Shadowserver leaves unknown
 * fields empty), so a converter never has to say "missing".
 */
import { addrProblem, formatAddr, formatRange, parseAddr, readRange } from "../../../core/index.js";
import { parseIso, parseRfc2822 } from "../../feed/time.js";

export const CONVERTERS = [
  "text",
  "lower",
  "list",
  "time",
  "ip",
  "address",
  "network",
  "int",
  "asn",
  "nonzero",
  "cc",
  "domain",
  "url",
] as const;

export type ConverterName = (typeof CONVERTERS)[number];

export function isConverter(name: string): name is ConverterName {
  return (CONVERTERS as readonly string[]).includes(name);
}

/** What a converter made of one value. */
export type Converted = { values: string[]; key?: string } | { problem: string };

/** The row a value came from, by column name (the URL converter needs the host column). */
export type Row = Readonly<Record<string, string>>;

const NONE: Converted = { values: [] };
const one = (value: string): Converted => ({ values: [value] });

/**
 * Shadowserver's times are UTC (its report pages say so) and parseIso takes an offset-less
 * time as UTC; http_date columns hold the server's HTTP date (RFC 9110 §5.6.7, IMF-fixdate).
 */
function time(value: string): Converted {
  const t = parseIso(value) ?? parseRfc2822(value);
  return t === undefined ? { problem: `${JSON.stringify(value)} is not a time` } : one(t);
}

function ip(value: string): Converted {
  const a = parseAddr(value);
  return a === null
    ? { problem: `${JSON.stringify(value)}: ${addrProblem(value)}` }
    : one(formatAddr(a));
}

function network(value: string): Converted {
  const r = readRange(value, { forms: ["cidr"] });
  return typeof r === "string"
    ? { problem: `${JSON.stringify(value)}: ${r}` }
    : one(formatRange(r, "cidr"));
}

/** The blocklist report's `ip` column holds an address or a CIDR: a CIDR goes to netblock. */
function address(value: string): Converted {
  if (!value.includes("/")) return ip(value);
  const r = network(value);
  return "problem" in r ? r : { ...r, key: "netblock" };
}

function int(value: string): Converted {
  return /^\d{1,15}$/.test(value)
    ? one(String(Number(value)))
    : { problem: `${JSON.stringify(value)} is not a whole number` };
}

/** Shadowserver writes 0 where it has no number (asn, naics): that is no value, not zero. */
function nonzero(value: string): Converted {
  const r = int(value);
  return "values" in r && r.values[0] === "0" ? NONE : r;
}

function asn(value: string): Converted {
  return nonzero(value.replace(/^as/i, ""));
}

function cc(value: string): Converted {
  const code = value.toUpperCase();
  return /^[A-Z]{2}$/.test(code)
    ? one(code)
    : { problem: `${JSON.stringify(value)} is not a two-letter country code` };
}

function domain(value: string): Converted {
  const name = value.toLowerCase().replace(/\.$/, "");
  return /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)
    ? one(name)
    : { problem: `${JSON.stringify(value)} is not a domain name` };
}

/** The columns that name the host of a URL given as a path, best first. */
const HOST_COLUMNS = ["http_host", "hostname", "ip"];

/**
 * Some reports give the whole URL, others only the path or the request line (`GET /x HTTP/1.1`)
 * with the host in another column (compromised_website: http_host + url). A path without a
 * host column (a honeypot's requested path) is kept as it is: it is still what was asked for.
 */
function url(value: string, row: Row): Converted {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return one(value);
  const path = value.replace(/^[A-Z]+\s+/, "").replace(/\s+HTTP\/[\d.]+$/i, "");
  const host = HOST_COLUMNS.map((c) => row[c]?.trim()).find((h) => h);
  if (!host) return one(value);
  const scheme = row["application"] === "https" ? "https" : "http";
  const authority = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return one(`${scheme}://${authority}${path.startsWith("/") ? path : `/${path}`}`);
}

/** Shadowserver's tag column joins several tags with `;` (`cve-2021-44228;log4j`). */
function list(value: string): Converted {
  return {
    values: value
      .split(";")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  };
}

const TABLE: Record<ConverterName, (value: string, row: Row) => Converted> = {
  text: one,
  lower: (v) => one(v.toLowerCase()),
  list,
  time,
  ip,
  address,
  network,
  int,
  asn,
  nonzero,
  cc,
  domain,
  url,
};

/** Convert one CSV value: blank is no value; text is kept as it is (a banner's spaces count). */
export function convert(name: ConverterName, raw: string, row: Row): Converted {
  const value = raw.trim();
  if (value === "") return NONE;
  return name === "text" ? one(raw) : TABLE[name](value, row);
}
