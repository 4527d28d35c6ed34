/**
 * What one plain-list entry is: an address, a CIDR, a range `a-b`, a domain name or a URL.
 * Addresses, CIDRs and ranges are read and written by core's one IP model: IPv6 in RFC 5952
 * form, IPv4-mapped as the IPv4 address, a CIDR as its network, so the same entry always
 * gives the same event (and event id).
 */
import { formatAddr, formatRange, parseAddr, readRange } from "../../../core/index.js";
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

/** An address in canonical form, or undefined. IPv4 must be four decimal parts (no 010.1). */
export function parseAddress(text: string): string | undefined {
  const a = parseAddr(text);
  return a === null ? undefined : formatAddr(a);
}

// A CIDR with host bits set (192.0.2.1/24) is the network it is in: lists mean the block.
function parseCidr(text: string): string | undefined {
  const r = readRange(text, { forms: ["cidr"], hostBits: "mask" });
  return typeof r === "string" ? undefined : formatRange(r, "cidr");
}

function parseRange(text: string): string | undefined {
  const r = readRange(text, { forms: ["range"] });
  return typeof r === "string" ? undefined : formatRange(r, "first-last");
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
