/**
 * IP addresses, the one model of the mesh (net/range.ts builds CIDRs and ranges on it). Read as
 * inet_pton reads them: IPv4 as four decimal parts without leading zeros, IPv6 as RFC 4291 §2.2
 * text, no zone ids. Held as numbers: IPv4 as one uint32, IPv6 as four uint32 words (most
 * significant first), the form range indexes search. Written as RFC 5952 text.
 *
 * node:net's isIP screens values first: it is fast on non-addresses, where ipaddr.js throws and
 * catches for every one (a mixed feed list parsed 20 times slower); ipaddr.js then reads the
 * IPv6 groups of a checked address and writes the RFC 5952 form.
 */
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export type Addr = { v: 4; n: number } | { v: 6; w: Uint32Array };

export interface AddrOptions {
  /**
   * `::ffff:192.0.2.1` (IPv4-mapped, RFC 4291 §2.5.5.2) as the IPv4 address it stands for
   * (`"ipv4"`, the default: what lookups and feeds want), or as the IPv6 address it is
   * (`"ipv6"`: AbuseHelper's rule language, which reads values with inet_pton).
   */
  mapped?: "ipv4" | "ipv6";
}

/** A value as an address, or null when it is not exactly one (no spaces, no zone id). */
export function parseAddr(text: string, opts?: AddrOptions): Addr | null {
  const kind = isIP(text);
  if (kind === 4) return { v: 4, n: v4Number(text) };
  if (kind !== 6 || text.includes("%")) return null; // a zone id is not an address (inet_pton)
  const w = v6Words(text);
  return opts?.mapped !== "ipv6" && isMapped(w) ? { v: 4, n: w[3] ?? 0 } : { v: 6, w };
}

const DOTTED = /^\d+\.\d+\.\d+\.\d+$/;
/** addrProblem's answer when nothing more specific is wrong. */
export const NOT_AN_IP = "not an IP address";

/**
 * What is wrong with a text that parseAddr refused, for a message. `010.0.0.1` is refused
 * rather than read: inet_aton and ipaddr.js take 010 as octal 8, inet_pton and most people as 10.
 */
export function addrProblem(text: string): string {
  const zone = text.indexOf("%");
  if (zone > 0 && isIP(text) === 6) {
    return `a zone id (${text.slice(zone)}) names a link, it is not part of an address`;
  }
  if (DOTTED.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.every((p) => p <= 255) && /(^|\.)0\d/.test(text)) {
      return `leading zeros are ambiguous (some tools read them as octal): write ${parts.join(".")}`;
    }
  }
  return NOT_AN_IP;
}

/** A dotted quad already checked by isIP. */
function v4Number(text: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return n * 256 + part;
}

/** An IPv6 address already checked by isIP, as four 32-bit words. */
function v6Words(text: string): Uint32Array {
  const w = new Uint32Array(4);
  // ipaddr.js reads IPv4-compatible ::192.0.2.1 (RFC 4291 §2.5.5.1) as ::ffff:192.0.2.1;
  // inet_pton, and so the mesh, as the address written: ::c000:201.
  if (text.startsWith("::") && isIP(text.slice(2)) === 4) {
    w[3] = v4Number(text.slice(2));
    return w;
  }
  const parts = ipaddr.IPv6.parse(text).parts;
  for (let i = 0; i < 4; i++) w[i] = (parts[2 * i] ?? 0) * 0x10000 + (parts[2 * i + 1] ?? 0);
  return w;
}

/** Whether IPv6 words are in ::ffff:0:0/96. */
export function isMapped(w: ArrayLike<number>): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

export function formatV4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * RFC 5952 text: lower case, leading zeros dropped, the longest run of zero groups as `::`;
 * IPv4-mapped with a dotted quad (§5), as inet_ntop writes it.
 */
export function formatV6(w: ArrayLike<number>): string {
  if (isMapped(w)) return `::ffff:${formatV4(w[3] ?? 0)}`;
  const parts: number[] = [];
  for (let i = 0; i < 4; i++) parts.push((w[i] ?? 0) >>> 16, (w[i] ?? 0) & 0xffff);
  return new ipaddr.IPv6(parts).toRFC5952String();
}

export function formatAddr(a: Addr): string {
  return a.v === 4 ? formatV4(a.n) : formatV6(a.w);
}

/** IPv6 words as one number, for range arithmetic. */
export function v6Big(w: ArrayLike<number>): bigint {
  return (
    (BigInt(w[0] ?? 0) << 96n) |
    (BigInt(w[1] ?? 0) << 64n) |
    (BigInt(w[2] ?? 0) << 32n) |
    BigInt(w[3] ?? 0)
  );
}

export function v6FromBig(n: bigint): Uint32Array {
  const w = new Uint32Array(4);
  for (let i = 3; i >= 0; i--, n >>= 32n) w[i] = Number(n & 0xffffffffn);
  return w;
}

// RFC 6890 special-purpose IPv4 blocks that are never routed on the Internet: no lookup is
// made for them. The documentation blocks (RFC 5737) are *not* here: the mesh's fixtures and
// demos use them as stand-ins for public addresses, and a real lookup just finds nothing.
const SPECIAL_V4: readonly [number, number][] = [
  [0x00000000, 8], // "this network"
  [0x0a000000, 8], // private
  [0x64400000, 10], // shared address space (CGNAT)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link local
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xe0000000, 3], // multicast (224/4) and reserved (240/4, broadcast)
];

/**
 * Whether an address is special-purpose (private, loopback, link-local, multicast, reserved):
 * for IPv6, anything outside global unicast 2000::/3, and 2001::/23 (IETF assignments) within.
 */
export function isSpecial(a: Addr): boolean {
  if (a.v === 4) {
    for (const [base, bits] of SPECIAL_V4) {
      if (Math.floor(a.n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits))) return true;
    }
    return false;
  }
  const top = a.w[0] ?? 0;
  if (top >>> 29 !== 1) return true; // not 2000::/3
  return top >>> 9 === 0x2001 << 7; // 2001::/23
}

/** 127.0.0.0/8 and ::1 (RFC 6890); `::ffff:127.0.0.1` too, as parseAddr reads it by default. */
export function isLoopback(a: Addr): boolean {
  if (a.v === 4) return a.n >>> 24 === 127;
  return a.w[0] === 0 && a.w[1] === 0 && a.w[2] === 0 && a.w[3] === 1;
}

/**
 * The address's labels in reverse, as DNS names spell it under in-addr.arpa (RFC 1035 §3.5),
 * ip6.arpa (RFC 3596 §2.5, nibbles), in DNSBL zones (RFC 5782 §2.1, §2.4) and Cymru's origin.
 */
export function reverseName(a: Addr): string {
  if (a.v === 4) return formatV4(a.n).split(".").reverse().join(".");
  const hex = Array.from(a.w, (word) => word.toString(16).padStart(8, "0"));
  return [...hex.join("")].reverse().join(".");
}
