// A value pattern standing alone (a fuzzy rule), read exactly as rulelang.py's `basic` reads it:
// after `*` and a /regexp/ come an IP range, then a domain pattern, each with AbuseHelper's own
// token, and the first that reads wins for good. So `192.0.2.1 = x` and `a.b = c` fail (the key
// was taken for an atom) while `a.b=c` is a match (the domain token swallowed "=c" and failed).
// The case table is in fuzzy.test.ts.
import type { Atom } from "./ast.js";
import { scanFuzzyDomain } from "./domain.js";
import { parseValueRange, rangeToAtom } from "./iprange.js";
import type { Scanned } from "./scanner.js";

// iprange.py ipv4_parser / ipv6_parser. Unlike the tokens after `in` (iprange.ts), no dotted
// IPv4-mapped form: AbuseHelper reads `::ffff:192.0.2.1` alone as `::ffff:192` and then fails.
const V4 = "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}";
const V6 = "[0-9a-f]*:[0-9a-f]*:[0-9a-f:]*";
const VERSIONS = [V4, V6].map((address) => ({
  address: new RegExp(address, "iy"),
  range: new RegExp(`\\s*-\\s*(${address})`, "iy"),
}));
const CIDR = /\s*\/\s*([0-9]{1,5})/y;

function sticky(rex: RegExp, text: string, pos: number): RegExpExecArray | null {
  rex.lastIndex = pos;
  return rex.exec(text);
}

/**
 * IPRangeParser: an address token that is an address, then `/bits` (a bad prefix length spoils
 * it) or `-address` of the same version (a bad one spoils it) or nothing. The range need not end
 * at a word boundary: `192.0.2.1x` reads `192.0.2.1` and leaves "x" (an error, as there).
 */
function scanIp(text: string, pos: number): Scanned<Atom> | null {
  for (const { address, range } of VERSIONS) {
    const first = sticky(address, text, pos)?.[0];
    if (first === undefined || parseValueRange(first) === null) continue;
    const end = pos + first.length;
    const bits = sticky(CIDR, text, end);
    const last = bits === null ? sticky(range, text, end) : null;
    const written = bits ? `${first}/${bits[1]}` : last ? `${first}-${last[1]}` : first;
    const read = parseValueRange(written);
    if (read === null) continue;
    const tail = bits ?? last;
    return { value: rangeToAtom(read), end: tail ? end + tail[0].length : end };
  }
  return null;
}

/** An IP range or domain pattern at `pos` as AbuseHelper reads one standing alone. */
export function scanFuzzyAtom(text: string, pos: number): Scanned<Atom> | null {
  const ip = scanIp(text, pos);
  if (ip !== null) return ip;
  const domain = scanFuzzyDomain(text, pos);
  return domain && { value: domain.atom, end: domain.end };
}

/** Whether a bare word at the start of a rule would be read as an IP range or domain pattern. */
export function readsAsAtom(word: string): boolean {
  return scanFuzzyAtom(word, 0) !== null;
}
