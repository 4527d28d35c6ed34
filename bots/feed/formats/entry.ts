/**
 * What one plain-list entry is: an address, a CIDR, a range `a-b`, a domain name or a URL.
 * Addresses are checked with node:net and normalised with ipaddr.js; IPv6 is written in RFC 5952 form so the same address
 * always gives the same event (and event id).
 */
import { isIPv4, isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";
import type { EntryKind } from "../record.js";

export interface Entry {
  kind: EntryKind;
  /** The entry as it goes into the event (normalised). */
  value: string;
}

// RFC 1035 labels, plus `_` (seen in real blocklists) and IDN letters. Checked label by label:
// one regex over the whole name backtracks badly on long non-matching lines.
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const LABEL_IDN = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}_])?$/u;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * An address in canonical form, or undefined. IPv4 must be four decimal parts (no 010.1).
 * Validity comes from node:net: ipaddr.js's checks throw and catch an exception for every
 * non-address, which made a mixed list 20 times slower; ipaddr.js writes the canonical form.
 */
export function parseAddress(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (text.includes(":") && !text.includes("%") && isIPv6(text)) {
    return ipaddr.IPv6.parse(text).toRFC5952String();
  }
  return undefined;
}

function parseCidr(text: string): string | undefined {
  const slash = text.indexOf("/");
  const addr = parseAddress(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (addr === undefined || !/^\d{1,3}$/.test(bits)) return undefined;
  const max = addr.includes(":") ? 128 : 32;
  return Number(bits) <= max ? `${addr}/${Number(bits)}` : undefined;
}

function parseRange(text: string): string | undefined {
  const dash = text.indexOf("-");
  const a = parseAddress(text.slice(0, dash).trim());
  const b = parseAddress(text.slice(dash + 1).trim());
  if (a === undefined || b === undefined) return undefined;
  const [x, y] = [ipaddr.parse(a), ipaddr.parse(b)];
  if (x.kind() !== y.kind()) return undefined;
  const bx = x.toByteArray();
  const by = y.toByteArray();
  for (let i = 0; i < bx.length; i++) {
    const d = (bx[i] ?? 0) - (by[i] ?? 0);
    if (d > 0) return undefined; // first after last
    if (d < 0) break;
  }
  return `${a}-${b}`;
}

function parseDomain(text: string): string | undefined {
  const name = (text.endsWith(".") ? text.slice(0, -1) : text).toLowerCase();
  if (name.length > 253) return undefined;
  const labels = name.split(".");
  // At least two labels, and a top-level label that is not all digits (`1.2.3` is no name).
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1] ?? "")) return undefined;
  for (const label of labels) if (!LABEL.test(label) && !LABEL_IDN.test(label)) return undefined;
  return name;
}

function parseUrl(text: string): string | undefined {
  if (!URL_SCHEME.test(text)) return undefined;
  try {
    new URL(text);
    return text;
  } catch {
    return undefined;
  }
}

const PARSERS: Record<EntryKind, (text: string) => string | undefined> = {
  ip: parseAddress,
  cidr: (t) => (t.includes("/") && !URL_SCHEME.test(t) ? parseCidr(t) : undefined),
  range: (t) => (t.includes("-") ? parseRange(t) : undefined),
  domain: parseDomain,
  url: parseUrl,
};

// Cheapest and most common first: blocklists are mostly addresses.
const AUTO: EntryKind[] = ["ip", "cidr", "range", "url", "domain"];

/** Detect (kind "auto") or check (a fixed kind) one entry; undefined when it is not one. */
export function parseEntry(text: string, kind: EntryKind | "auto" = "auto"): Entry | undefined {
  for (const k of kind === "auto" ? AUTO : [kind]) {
    const value = PARSERS[k](text);
    if (value !== undefined) return { kind: k, value };
  }
  return undefined;
}
