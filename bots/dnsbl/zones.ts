/**
 * DNSBL zones and their answers, pure: which name to ask (RFC 5782 §2.1 reversed IPv4 octets,
 * §2.4 IPv6 nibbles, §3 names under the zone for domain lists) and what an answer means.
 */
import { ParamError, parseAddr, reverseName } from "../../core/index.js";

export interface Zone {
  /** The list's DNS zone, lower case, no trailing dot (`zen.spamhaus.org`). */
  zone: string;
  /** `ip`: addresses are looked up; `domain`: domain names (RHSBL / DBL). */
  kind: "ip" | "domain";
  /** Listing reason per return code (`127.0.0.2` → `spam source`). */
  codes: Record<string, string>;
}

/**
 * Spamhaus error codes (not listings): "Return codes for errors" of its DNSBL usage docs.
 * A query under 127.255.255.0/24 means the list refused to answer.
 */
export const REFUSALS: Record<string, string> = {
  "127.255.255.252": "typing error in the DNSBL name",
  "127.255.255.254": "query via a public/open resolver",
  "127.255.255.255": "excessive number of queries",
};

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const FIELDS = ["zone", "kind", "codes"];

function dnsName(raw: string): string | undefined {
  const name = raw.trim().toLowerCase().replace(/\.$/, "");
  if (name.length === 0 || name.length > 253) return undefined;
  return name.split(".").every((l) => LABEL.test(l)) ? name : undefined;
}

/** 127.0.0.0/8 written as a dotted quad (not ::ffff:127.0.0.2: codes are compared as text). */
function isListCode(text: string): boolean {
  const a = parseAddr(text, { mapped: "ipv6" });
  return a?.v === 4 && a.n >>> 24 === 127;
}

function checkZone(raw: unknown, where: string): Zone {
  if (typeof raw === "string") raw = { zone: raw };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ParamError(`${where}: expected { zone, kind, codes } or a zone name`);
  }
  const given = raw as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    throw new ParamError(
      `${where}: unknown field ${unknown.join(", ")} (known: zone, kind, codes)`,
    );
  }
  const zone = typeof given.zone === "string" ? dnsName(given.zone) : undefined;
  if (zone === undefined) throw new ParamError(`${where}.zone: expected a DNS zone name`);
  const kind = given.kind ?? "ip";
  if (kind !== "ip" && kind !== "domain") {
    throw new ParamError(`${where}.kind: expected ip or domain, got ${JSON.stringify(kind)}`);
  }
  const codes: Record<string, string> = {};
  const rawCodes = given.codes ?? {};
  if (typeof rawCodes !== "object" || rawCodes === null || Array.isArray(rawCodes)) {
    throw new ParamError(`${where}.codes: expected a mapping of 127.x.y.z to a reason`);
  }
  for (const [code, reason] of Object.entries(rawCodes)) {
    if (!isListCode(code) || REFUSALS[code] !== undefined) {
      throw new ParamError(
        `${where}.codes: ${JSON.stringify(code)} is not a listing code 127.x.y.z`,
      );
    }
    if (typeof reason !== "string" || reason === "") {
      throw new ParamError(`${where}.codes.${code}: expected the reason as text`);
    }
    codes[code] = reason;
  }
  return { zone, kind, codes };
}

/** The `zones` param: a list of `{ zone, kind, codes }` (a bare name is an ip zone). */
export function checkZones(raw: unknown): Zone[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new ParamError("expected at least one zone");
  const zones = list.map((z, i) => checkZone(z, `zones[${i}]`));
  const seen = new Set<string>();
  for (const z of zones) {
    if (seen.has(z.zone)) throw new ParamError(`zone ${z.zone} is listed twice`);
    seen.add(z.zone);
  }
  return zones;
}

/** The name to ask for `value` under `zone`, or undefined when the value is no IP / domain. */
export function queryName(value: string, zone: Zone): string | undefined {
  if (zone.kind === "domain") {
    const name = parseAddr(value) === null ? dnsName(value) : undefined;
    return name === undefined ? undefined : dnsName(`${name}.${zone.zone}`);
  }
  // ::ffff:192.0.2.1 is the IPv4 address, and is asked as one.
  const addr = parseAddr(value);
  return addr === null ? undefined : `${reverseName(addr)}.${zone.zone}`;
}

/** What the A records of one answer mean. */
export interface Reading {
  /** Listing codes with their reasons (`listed (127.0.0.9)` for a code not in `codes`). */
  listings: { code: string; reason: string }[];
  /** 127.255.255.x: the list refused to answer; never a listing. */
  refusals: { code: string; meaning: string }[];
  /** Addresses outside 127.0.0.0/8: no DNSBL answer (a wildcard or hijacking resolver). */
  bogus: string[];
}

export function readAnswer(addresses: readonly string[], zone: Zone): Reading {
  const reading: Reading = { listings: [], refusals: [], bogus: [] };
  for (const code of addresses) {
    if (!isListCode(code)) reading.bogus.push(code);
    else if (code.startsWith("127.255.255.")) {
      reading.refusals.push({ code, meaning: REFUSALS[code] ?? "error code" });
    } else reading.listings.push({ code, reason: zone.codes[code] ?? `listed (${code})` });
  }
  return reading;
}
