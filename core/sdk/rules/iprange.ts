// IP ranges as AbuseHelper sees them (abusehelper/core/rules/iprange.py): every address, CIDR and
// first-last range is an inclusive range of one IP version, and `in` means "contains the whole
// value range".
import ipaddr from "ipaddr.js";
import type { IpAtom } from "./ast.js";

export type IpRange =
  | { readonly version: 4; readonly first: number; readonly last: number }
  | { readonly version: 6; readonly first: bigint; readonly last: bigint };

const V6_MAX = (1n << 128n) - 1n;
const BITS_REX = /^\s*[+-]?\d+\s*$/; // what Python's int() takes for a CIDR prefix

/**
 * Dotted quad as inet_pton(AF_INET) reads it: four decimal parts 0-255, no leading zeros.
 * Hand-rolled because `ip in ...` rules parse a value on every event.
 */
export function parseIPv4(text: string): number | null {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return null; // leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return null;
    }
  }
  return dots === 3 && digits > 0 ? n * 256 + part : null;
}

/** IPv6 as inet_pton(AF_INET6) reads it (zone ids are not addresses there). */
export function parseIPv6(text: string): bigint | null {
  if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return null;
  let n = 0n;
  for (const part of ipaddr.IPv6.parse(text).parts) n = (n << 16n) | BigInt(part);
  return n;
}

function single(text: string): IpRange | null {
  const trimmed = text.trim();
  const v4 = parseIPv4(trimmed);
  if (v4 !== null) return { version: 4, first: v4, last: v4 };
  const v6 = parseIPv6(trimmed);
  return v6 === null ? null : { version: 6, first: v6, last: v6 };
}

/** The range of `bits` leading bits around an address; null when bits is out of range. */
export function cidr(base: IpRange, bits: number): IpRange | null {
  if (base.version === 4) {
    if (!(bits >= 0 && bits <= 32)) return null;
    const size = 2 ** (32 - bits);
    const first = Math.floor(base.first / size) * size;
    return { version: 4, first, last: first + size - 1 };
  }
  if (!(bits >= 0 && bits <= 128)) return null;
  const host = (1n << BigInt(128 - bits)) - 1n;
  const first = base.first & (V6_MAX ^ host);
  return { version: 6, first, last: first | host };
}

/** Both ends as one range of their version, in either order; null on a version mismatch. */
export function span(a: IpRange, b: IpRange): IpRange | null {
  if (a.version === 4 && b.version === 4) {
    return { version: 4, first: Math.min(a.first, b.first), last: Math.max(a.first, b.first) };
  }
  if (a.version === 6 && b.version === 6) {
    const [first, last] = a.first <= b.first ? [a.first, b.first] : [b.first, a.first];
    return { version: 6, first, last };
  }
  return null;
}

/**
 * An event value as a range (`IPRange.from_autodetected`): "a-b", "a/bits" or one address;
 * null when it is none of these. This runs for every value an `in` rule looks at.
 */
export function parseValueRange(value: string): IpRange | null {
  const dash = value.indexOf("-");
  if (dash >= 0) {
    const a = single(value.slice(0, dash));
    const b = a && single(value.slice(dash + 1));
    return a && b && span(a, b);
  }
  const slash = value.indexOf("/");
  if (slash >= 0) {
    const bits = value.slice(slash + 1);
    const base = BITS_REX.test(bits) ? single(value.slice(0, slash)) : null;
    return base && cidr(base, Number(bits));
  }
  return single(value);
}

/** Whether `outer` holds all of `inner`; ranges of different IP versions never do. */
export function contains(outer: IpRange, inner: IpRange): boolean {
  if (outer.version === 4) {
    return inner.version === 4 && outer.first <= inner.first && inner.last <= outer.last;
  }
  return inner.version === 6 && outer.first <= inner.first && inner.last <= outer.last;
}

export function formatAddress(version: 4 | 6, n: number | bigint): string {
  if (version === 4) {
    const v = Number(n);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
  }
  const big = BigInt(n);
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((big >> shift) & 0xffffn));
  const addr = new ipaddr.IPv6(parts);
  // inet_ntop writes IPv4-mapped addresses with a dotted quad; so do we.
  if (addr.isIPv4MappedAddress()) return `::ffff:${addr.toIPv4Address().toString()}`;
  return addr.toRFC5952String();
}

/** As iprange.py formats a range: the address, else CIDR when it is one, else first-last. */
export function formatRange(range: IpRange): string {
  const first = formatAddress(range.version, range.first);
  if (range.first === range.last) return first;
  const bits = prefixLength(range);
  if (bits !== null) return `${first}/${bits}`;
  return `${first}-${formatAddress(range.version, range.last)}`;
}

function prefixLength(range: IpRange): number | null {
  const max = range.version === 4 ? 32 : 128;
  for (let bits = max - 1; bits >= 0; bits--) {
    const block = cidr(range, bits);
    if (block && block.first === range.first && block.last === range.last) return bits;
  }
  return null;
}

export function rangeToAtom(range: IpRange): IpAtom {
  const { version } = range;
  return {
    kind: "ip",
    version,
    first: formatAddress(version, range.first),
    last: formatAddress(version, range.last),
  };
}

/** The range of an atom; throws a TypeError naming the bad field when the atom is malformed. */
export function atomToRange(atom: IpAtom): IpRange {
  const first = single(atom.first);
  const last = single(atom.last);
  if (first === null || last === null || first.version !== atom.version) {
    throw new TypeError(`ip atom: ${JSON.stringify(atom)} is not a range of IPv${atom.version}`);
  }
  const range = span(first, last);
  if (range === null) throw new TypeError(`ip atom: ${JSON.stringify(atom)} mixes IP versions`);
  return range;
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

function scanAddress(text: string, pos: number, version?: 4 | 6): [IpRange, number] | null {
  const tries: [RegExp, 4 | 6][] = [
    [V4_TOKEN, 4],
    [V6_MAPPED_TOKEN, 6],
    [V6_TOKEN, 6],
  ];
  for (const [rex, v] of tries) {
    if (version !== undefined && v !== version) continue;
    const tok = token(rex, text, pos);
    const range = tok === null ? null : single(tok);
    if (tok !== null && range !== null) return [range, pos + tok.length];
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
  const [base, end] = head;
  CIDR_TAIL.lastIndex = end;
  const bits = CIDR_TAIL.exec(text);
  if (bits !== null) {
    const range = cidr(base, Number(bits[1]));
    return range && { range, end: CIDR_TAIL.lastIndex };
  }
  const dash = /\s*-\s*/y;
  dash.lastIndex = end;
  if (dash.exec(text) !== null) {
    const tail = scanAddress(text, dash.lastIndex, base.version);
    const range = tail && span(base, tail[0]);
    return range && tail && { range, end: tail[1] };
  }
  return { range: base, end };
}
