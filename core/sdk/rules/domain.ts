// Domain names and patterns (abusehelper/core/rules/_domainname.py). Names are compared as
// lower-case ASCII (punycode) labels, so IDN and case variants of one name are equal.
import { domainToASCII, domainToUnicode } from "node:url";
import type { DomainAtom } from "./ast.js";

// RFC 3696 §2 label: letters, digits, inner hyphens, 1-63 characters.
const LABEL_REX = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const ALL_DIGITS = /^[0-9]+$/;
// A pattern token in rule text (_PatternParser._PATTERN_REX): dot-separated runs of anything but
// ".", "*" and whitespace (Python 2 \s without re.U: ASCII only). After `in` ours also stops at
// ")", so `("domain name" in example.com)` reads as meant where AbuseHelper fails. Alone (fuzzy)
// the token is AbuseHelper's: it swallows ")" and "=", so `(example.com)` is no domain there but
// the fuzzy *string* "example.com", and `a.b=c` no domain but the key "a.b" (fuzzy.test.ts).
const PATTERN_TOKEN = /(?:[^.* \t\n\r\f\v)]+\.)*[^.* \t\n\r\f\v)]+/y;
const FUZZY_TOKEN = /(?:[^.* \t\n\r\f\v]+\.)*[^.* \t\n\r\f\v]+/y;

/**
 * Labels of a name, IDNA-normalised and lower-cased, or null when it is not a well-formed name
 * (label syntax, 253-octet limit, all-numeric top-level label). Like _parse_labels, the text is
 * split at "." first and each label converted on its own; only non-ASCII labels go through IDNA:
 * AbuseHelper's ToASCII leaves ASCII labels alone, while WHATWG rules would turn names like
 * "0x7f.1" into IPv4 addresses, and read "bücher.example/x" as a URL host.
 */
export function parseLabels(text: string): string[] | null {
  const labels: string[] = [];
  let octets = 0;
  for (const label of text.split(".")) {
    const ascii = ASCII.test(label) ? label.toLowerCase() : idnaLabel(label);
    if (ascii === null || !LABEL_REX.test(ascii)) return null;
    labels.push(ascii);
    octets += ascii.length + 1;
  }
  if (octets > 253 || ALL_DIGITS.test(labels[labels.length - 1] ?? "")) return null;
  return labels;
}

// eslint-disable-next-line no-control-regex -- the ASCII range test is the point
const ASCII = /^[\x00-\x7f]*$/;
// ASCII that no label holds: IDNA keeps it, so the label is bad (WHATWG would cut at "/" instead).
const NOT_LDH = /[^-a-zA-Z0-9\u0080-\u{10ffff}]/u;

/** One non-ASCII label in punycode, or null when IDNA refuses it or maps it to several labels. */
function idnaLabel(label: string): string | null {
  if (NOT_LDH.test(label)) return null;
  const ascii = domainToASCII(label);
  return ascii === "" || ascii.includes(".") ? null : ascii;
}

/** A domain name as an event value: at least two labels (plain top-level names are not). */
export function parseName(value: string): string[] | null {
  return value.includes(".") ? parseLabels(value) : null;
}

/** Whether the name `labels` falls under the pattern. */
export function patternContains(pattern: DomainAtom, labels: readonly string[]): boolean {
  const want = pattern.labels;
  if (labels.length < pattern.wildcards + want.length) return false;
  for (let i = 1; i <= want.length; i++) {
    if (labels[labels.length - i] !== want[want.length - i]) return false;
  }
  return true;
}

/**
 * A domain pattern in rule text at `pos`: leading `*.` wildcards, then a name; in all at least
 * two labels (`*.example` is fine, `example` and `*.*` are not).
 */
export function scanDomainPattern(
  text: string,
  pos: number,
): { atom: DomainAtom; end: number } | null {
  let wildcards = 0;
  let at = pos;
  while (text.startsWith("*.", at)) {
    wildcards++;
    at += 2;
  }
  PATTERN_TOKEN.lastIndex = at;
  const tok = PATTERN_TOKEN.exec(text)?.[0];
  const labels = tok === undefined ? null : parseLabels(tok);
  if (tok === undefined || labels === null || wildcards + labels.length < 2) return null;
  return { atom: { kind: "domain", wildcards, labels }, end: at + tok.length };
}

/**
 * A domain pattern standing alone (fuzzy) at `pos`, read exactly as rulelang.py reads it there:
 * its token, no wildcards (`*` alone already means "anything"), at least two labels.
 */
export function scanFuzzyDomain(
  text: string,
  pos: number,
): { atom: DomainAtom; end: number } | null {
  FUZZY_TOKEN.lastIndex = pos;
  const tok = FUZZY_TOKEN.exec(text)?.[0];
  const labels = tok === undefined ? null : parseLabels(tok);
  if (tok === undefined || labels === null || labels.length < 2) return null;
  return { atom: { kind: "domain", wildcards: 0, labels }, end: pos + tok.length };
}

/** A domain atom from "example.com" or "*.example.com"; throws a TypeError when invalid. */
export function domainAtom(text: string): DomainAtom {
  const trimmed = text.trim();
  const scanned = scanDomainPattern(trimmed, 0);
  if (scanned === null || scanned.end !== trimmed.length) {
    throw new TypeError(`domain atom: ${JSON.stringify(text)} is not a domain name pattern`);
  }
  return scanned.atom;
}

/**
 * The pattern as rule text, in Unicode where IDNA maps it back to the same labels (readable,
 * like AbuseHelper's output), else in ASCII.
 */
export function formatDomain(atom: DomainAtom): string {
  const ascii = atom.labels.join(".");
  const unicode = domainToUnicode(ascii);
  const name = unicode !== "" && parseLabels(unicode)?.join(".") === ascii ? unicode : ascii;
  return "*.".repeat(atom.wildcards) + name;
}
