/**
 * Addresses as numbers, without exceptions on the hot path: IPv4 as one uint32, IPv6 as four
 * uint32 words (most significant first). node:net's isIP screens values first: it is fast on
 * non-addresses, where ipaddr.js throws and catches for every one (see bots/feed/formats/entry).
 */
import { isIP } from "node:net";

export type Addr = { v: 4; n: number } | { v: 6; w: Uint32Array };

/** A value as an address; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4. Null when not an IP. */
export function parseAddr(text: string): Addr | null {
  const kind = isIP(text);
  if (kind === 4) return { v: 4, n: v4Number(text) };
  if (kind !== 6 || text.includes("%")) return null; // a zone id is not an address (inet_pton)
  const w = v6Words(text);
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return { v: 4, n: w[3] ?? 0 };
  return { v: 6, w };
}

/** A dotted quad already checked by isIP. */
export function v4Number(text: string): number {
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
export function v6Words(text: string): Uint32Array {
  const groups = new Array<number>(8).fill(0);
  const gap = text.indexOf("::");
  if (gap < 0) groupsOf(text).forEach((g, i) => (groups[i] = g));
  else {
    const head = groupsOf(text.slice(0, gap));
    const tail = groupsOf(text.slice(gap + 2));
    head.forEach((g, i) => (groups[i] = g));
    tail.forEach((g, i) => (groups[8 - tail.length + i] = g));
  }
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = (groups[2 * i] ?? 0) * 0x10000 + (groups[2 * i + 1] ?? 0);
  return w;
}

/** 16-bit groups of one side of `::` (a trailing dotted quad gives two). */
function groupsOf(s: string): number[] {
  if (s === "") return [];
  const out: number[] = [];
  for (const g of s.split(":")) {
    if (g.includes(".")) {
      const n = v4Number(g);
      out.push(n >>> 16, n & 0xffff);
    } else out.push(parseInt(g, 16));
  }
  return out;
}

export function formatV4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (≥ 2) of zero groups as `::`. */
export function formatV6(w: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push((w[i] ?? 0) >>> 16, (w[i] ?? 0) & 0xffff);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function formatAddr(a: Addr): string {
  return a.v === 4 ? formatV4(a.n) : formatV6(a.w);
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

/** Reversed nibbles of an IPv6 address, the way reverse and Cymru origin6 names spell it. */
export function reversedNibbles(w: ArrayLike<number>): string {
  const hex = Array.from({ length: 4 }, (_, i) => (w[i] ?? 0).toString(16).padStart(8, "0"));
  return [...hex.join("")].reverse().join(".");
}
