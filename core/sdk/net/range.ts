/**
 * CIDRs and ranges, on the address model of net/ip.ts: a CIDR block (`192.0.2.0/24`), a
 * `first-last` range or one address is an inclusive range of one IP version with a number at
 * each end (IPv4 uint32, IPv6 bigint), so containment and range indexes are plain comparisons.
 */
import {
  addrProblem,
  formatAddr,
  parseAddr,
  v6Big,
  v6FromBig,
  type Addr,
  type AddrOptions,
} from "./ip.js";

export type IpRange =
  | { readonly v: 4; readonly first: number; readonly last: number }
  | { readonly v: 6; readonly first: bigint; readonly last: bigint };

export type RangeForm = "addr" | "cidr" | "range";

export interface RangeOptions extends AddrOptions {
  /** The forms taken (default: all three). */
  forms?: readonly RangeForm[];
  /**
   * A CIDR with bits set after its prefix (`192.0.2.1/24`): refused, naming the network that
   * was probably meant (the default), or taken as its whole block (`"mask"`), as routing tables
   * and AbuseHelper's rules do.
   */
  hostBits?: "refuse" | "mask";
  /** Take `last-first` as the same range (AbuseHelper's rules); by default it is refused. */
  anyOrder?: boolean;
}

/** A text that is not the range it should be: `reason` says what is wrong with it. */
export class IpError extends Error {
  override name = "IpError";
  constructor(
    readonly text: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(text)}: ${reason}`);
  }
}

const ALL: readonly RangeForm[] = ["addr", "cidr", "range"];
const V6_MAX = (1n << 128n) - 1n;
/** Host bits of an IPv6 prefix of each length (table loads make ~10^5 of them). */
const HOST_MASKS = Array.from({ length: 129 }, (_, bits) => (1n << BigInt(128 - bits)) - 1n);
const MAPPED_FIRST = 0xffffn << 32n; // ::ffff:0.0.0.0
const MAPPED_LAST = MAPPED_FIRST | 0xffffffffn;
const PREFIX = /^\d+$/;

/** The range a text names (spaces allowed around its parts); throws an IpError saying why not. */
export function parseRange(text: string, opts: RangeOptions = {}): IpRange {
  const r = readRange(text, opts);
  if (typeof r === "string") throw new IpError(text, r);
  return r;
}

/** As parseRange, without exceptions (for hot paths): the range, or what is wrong. */
export function readRange(text: string, opts: RangeOptions = {}): IpRange | string {
  const forms = opts.forms ?? ALL;
  const dash = text.indexOf("-");
  if (dash >= 0) {
    if (!forms.includes("range")) return expected(forms);
    return span(text.slice(0, dash).trim(), text.slice(dash + 1).trim(), opts);
  }
  const slash = text.indexOf("/");
  if (slash >= 0) {
    if (!forms.includes("cidr")) return expected(forms);
    return cidr(text.slice(0, slash).trim(), text.slice(slash + 1).trim(), opts);
  }
  if (!forms.includes("addr")) return expected(forms);
  const t = text.trim();
  const a = parseAddr(t, opts);
  return a === null ? addrProblem(t) : rangeOf(a);
}

function expected(forms: readonly RangeForm[]): string {
  const names = forms.map((f) =>
    f === "addr"
      ? "an IP address"
      : f === "cidr"
        ? "a CIDR like 192.0.2.0/24"
        : "a range like 192.0.2.1-192.0.2.9",
  );
  const last = names.pop() ?? "";
  return `expected ${names.length > 0 ? `${names.join(", ")} or ${last}` : last}`;
}

function span(a: string, b: string, opts: RangeOptions): IpRange | string {
  const x = parseAddr(a, opts);
  if (x === null) return `the first address ${JSON.stringify(a)}: ${addrProblem(a)}`;
  const y = parseAddr(b, opts);
  if (y === null) return `the last address ${JSON.stringify(b)}: ${addrProblem(b)}`;
  const [rx, ry] = [rangeOf(x), rangeOf(y)];
  if (rx.v === 4 && ry.v === 4) {
    if (rx.first <= ry.first) return { v: 4, first: rx.first, last: ry.first };
    if (opts.anyOrder) return { v: 4, first: ry.first, last: rx.first };
  } else if (rx.v === 6 && ry.v === 6) {
    if (rx.first <= ry.first) return { v: 6, first: rx.first, last: ry.first };
    if (opts.anyOrder) return { v: 6, first: ry.first, last: rx.first };
  } else return "a range cannot mix IPv4 and IPv6";
  return `the range ends before it starts (${b} is below ${a})`;
}

function cidr(baseText: string, bitsText: string, opts: RangeOptions): IpRange | string {
  // The prefix length counts the bits as written: ::ffff:192.0.2.0/120 is unmapped after.
  const base = parseAddr(baseText, { mapped: "ipv6" });
  if (base === null) return `the address ${JSON.stringify(baseText)}: ${addrProblem(baseText)}`;
  const max = base.v === 4 ? 32 : 128;
  if (!PREFIX.test(bitsText)) {
    return `prefix length ${JSON.stringify(bitsText)} is not a number (0-${max} for IPv${base.v})`;
  }
  if (Number(bitsText) > max) {
    return `prefix length ${Number(bitsText)} is out of range 0-${max} for IPv${base.v}`;
  }
  const bits = Number(bitsText);
  const block = networkOf(base, bits);
  if (opts.hostBits !== "mask" && block.first !== rangeOf(base).first) {
    return `host bits are set after /${bits}: the network is ${formatRange(block, "cidr")}`;
  }
  return opts.mapped === "ipv6" ? block : unmapped(block);
}

/** A range inside ::ffff:0:0/96 as the IPv4 range it maps. */
function unmapped(r: IpRange): IpRange {
  if (r.v === 4 || r.first < MAPPED_FIRST || r.last > MAPPED_LAST) return r;
  return { v: 4, first: Number(r.first - MAPPED_FIRST), last: Number(r.last - MAPPED_FIRST) };
}

/** The block of `bits` leading bits around an address: the /24 or /64 it is in, say. */
export function networkOf(a: Addr, bits: number): IpRange {
  const max = a.v === 4 ? 32 : 128;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new RangeError(`prefix length ${bits} out of 0-${max} for IPv${a.v}`);
  }
  if (a.v === 4) {
    const size = 2 ** (32 - bits);
    const first = Math.floor(a.n / size) * size;
    return { v: 4, first, last: first + size - 1 };
  }
  const host = HOST_MASKS[bits] ?? 0n;
  const first = v6Big(a.w) & (V6_MAX ^ host);
  return { v: 6, first, last: first | host };
}

/** One address as a range (its numeric form). */
export function rangeOf(a: Addr): IpRange {
  if (a.v === 4) return { v: 4, first: a.n, last: a.n };
  const n = v6Big(a.w);
  return { v: 6, first: n, last: n };
}

/** The first and last address of a range. */
export function ends(r: IpRange): [Addr, Addr] {
  if (r.v === 4)
    return [
      { v: 4, n: r.first },
      { v: 4, n: r.last },
    ];
  return [
    { v: 6, w: v6FromBig(r.first) },
    { v: 6, w: v6FromBig(r.last) },
  ];
}

/** Whether `outer` holds all of `inner`; ranges of different IP versions never do. */
export function contains(outer: IpRange, inner: IpRange): boolean {
  if (outer.v === 4) return inner.v === 4 && outer.first <= inner.first && inner.last <= outer.last;
  return inner.v === 6 && outer.first <= inner.first && inner.last <= outer.last;
}

/** The prefix length when the range is a CIDR block, else null. */
export function prefixLength(r: IpRange): number | null {
  if (r.v === 4) {
    const size = r.last - r.first + 1;
    const bits = 32 - Math.log2(size);
    return Number.isInteger(bits) && r.first % size === 0 ? bits : null;
  }
  const size = r.last - r.first + 1n;
  if ((size & (size - 1n)) !== 0n || r.first % size !== 0n) return null;
  return 129 - size.toString(2).length;
}

/**
 * A range as text: `"shortest"` (the default, as AbuseHelper writes it) is the address when it
 * is one, else the CIDR when it is one, else `first-last`; `"cidr"` writes one address as /32 or
 * /128; `"first-last"` always writes both ends.
 */
export function formatRange(
  r: IpRange,
  as: "shortest" | "cidr" | "first-last" = "shortest",
): string {
  const [first, last] = ends(r);
  if (as === "shortest" && r.first === r.last) return formatAddr(first);
  const bits = as === "first-last" ? null : prefixLength(r);
  return bits === null
    ? `${formatAddr(first)}-${formatAddr(last)}`
    : `${formatAddr(first)}/${bits}`;
}
