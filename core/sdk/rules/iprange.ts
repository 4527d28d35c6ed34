// IP ranges as AbuseHelper sees them (abusehelper/core/rules/iprange.py): every address, CIDR and
// first-last range is an inclusive range of one IP version, and `in` means "contains the whole
// value range".
import { formatAddr, parseAddr, type Addr } from "../net/ip.js";
import { ends, rangeOf, readRange, type IpRange, type RangeOptions } from "../net/range.js";
import type { IpAtom } from "./ast.js";

export { contains, formatRange, type IpRange } from "../net/range.js";

/**
 * How AbuseHelper reads a value: inet_pton's addresses (IPv4-mapped stays IPv6), a CIDR as its
 * whole block even with host bits set, a range in either order.
 */
const AS_ABUSEHELPER: RangeOptions = { mapped: "ipv6", hostBits: "mask", anyOrder: true };

/**
 * An event value as a range (`IPRange.from_autodetected`): "a-b", "a/bits" or one address;
 * null when it is none of these. This runs for every value an `in` rule looks at.
 */
export function parseValueRange(value: string): IpRange | null {
  const r = readRange(value, AS_ABUSEHELPER);
  return typeof r === "string" ? null : r;
}

export function rangeToAtom(range: IpRange): IpAtom {
  const [first, last] = ends(range);
  return {
    kind: "ip",
    version: range.v,
    first: formatAddr(first),
    last: formatAddr(last),
  };
}

/** The range of an atom; throws a TypeError naming the bad field when the atom is malformed. */
export function atomToRange(atom: IpAtom): IpRange {
  const bad = (why: string) => new TypeError(`ip atom: ${JSON.stringify(atom)} ${why}`);
  const [first, last] = [single(atom.first), single(atom.last)];
  if (first === null || last === null || first.v !== atom.version) {
    throw bad(`is not a range of IPv${atom.version}`);
  }
  if (first.v !== last.v) throw bad("mixes IP versions");
  const range = readRange(`${atom.first}-${atom.last}`, AS_ABUSEHELPER);
  if (typeof range === "string") throw bad(range);
  return range;
}

function single(text: string): Addr | null {
  return parseAddr(text.trim(), AS_ABUSEHELPER);
}

/**
 * An IP atom from "192.0.2.1", "192.0.2.0/24", "192.0.2.1-192.0.2.9" or IPv6 forms, for
 * building rules in code instead of pasting strings into rule text (docs/Rules.md advises so).
 */
export function ipAtom(text: string): IpAtom {
  const range = parseValueRange(text);
  if (range === null) throw new TypeError(`ip atom: ${JSON.stringify(text)} is not an IP range`);
  return rangeToAtom(range);
}

// Address tokens in rule text (iprange.py ipv4_parser / ipv6_parser). The first IPv6 form adds
// IPv4-mapped addresses (::ffff:192.0.2.1), which AbuseHelper's token cuts off and then rejects.
const V4_TOKEN = /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/y;
const V6_MAPPED_TOKEN = /[0-9a-f]*:[0-9a-f]*:[0-9a-f:]*?[0-9]{1,3}(?:\.[0-9]{1,3}){3}/iy;
const V6_TOKEN = /[0-9a-f]*:[0-9a-f]*:[0-9a-f:]*/iy;
const CIDR_TAIL = /\s*\/\s*([0-9]{1,5})/y;

function token(rex: RegExp, text: string, pos: number): string | null {
  rex.lastIndex = pos;
  return rex.exec(text)?.[0] ?? null;
}

function scanAddress(text: string, pos: number, version?: 4 | 6): [string, Addr] | null {
  const tries: [RegExp, 4 | 6][] = [
    [V4_TOKEN, 4],
    [V6_MAPPED_TOKEN, 6],
    [V6_TOKEN, 6],
  ];
  for (const [rex, v] of tries) {
    if (version !== undefined && v !== version) continue;
    const tok = token(rex, text, pos);
    const addr = tok === null ? null : single(tok);
    if (tok !== null && addr !== null) return [tok, addr];
  }
  return null;
}

/**
 * An IP range written in rule text at `pos` (iprange.py IPRangeParser): an address, optionally
 * followed by `/bits` or `-address` of the same version, spaces allowed around `/` and `-`.
 * Returns the range and the offset after it, or null when there is none (a bad prefix length
 * or a bad second address spoil the whole token, as in AbuseHelper).
 */
export function scanIpRange(text: string, pos: number): { range: IpRange; end: number } | null {
  const head = scanAddress(text, pos);
  if (head === null) return null;
  const [first, base] = head;
  const end = pos + first.length;
  CIDR_TAIL.lastIndex = end;
  const bits = CIDR_TAIL.exec(text);
  const read = (written: string) => {
    const range = readRange(written, AS_ABUSEHELPER);
    return typeof range === "string" ? null : range;
  };
  if (bits !== null) {
    const range = read(`${first}/${bits[1]}`);
    return range && { range, end: CIDR_TAIL.lastIndex };
  }
  const dash = /\s*-\s*/y;
  dash.lastIndex = end;
  if (dash.exec(text) !== null) {
    const tail = scanAddress(text, dash.lastIndex, base.v);
    const range = tail && read(`${first}-${tail[0]}`);
    return range && tail && { range, end: dash.lastIndex + tail[0].length };
  }
  return { range: rangeOf(base), end };
}
