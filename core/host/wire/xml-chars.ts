import type { CodecStats } from "./stats.js";

/**
 * Anything outside the XML 1.0 `Char` production (XML 1.0 §2.2: #x9 | #xA | #xD | [#x20-#xD7FF]
 * | [#xE000-#xFFFD] | [#x10000-#x10FFFF]). With the `u` flag a lone surrogate is a code point of
 * its own in U+D800..U+DFFF, so it matches too, while a valid pair (an astral char) does not.
 */
const NON_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Quick pre-check without the `u` flag (several times faster): it also matches valid pairs,
// which the exact pattern then leaves alone.
const MAYBE_NON_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/;

/** Lone surrogates only: UTF-8 cannot encode them (RFC 3629 §3). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;
const MAYBE_LONE_SURROGATE = /[\uD800-\uDFFF]/;

const REPLACEMENT = "\uFFFD";

/**
 * Replace characters XML cannot carry with U+FFFD, as AbuseHelper's `_replace_non_xml_chars`
 * does (abusehelper/core/events.py), counting each one in `stats.replacedChars`.
 */
export function replaceNonXmlChars(text: string, stats?: CodecStats): string {
  if (!MAYBE_NON_XML.test(text)) return text;
  return replaceCounted(text, NON_XML, stats);
}

/**
 * Replace lone surrogates with U+FFFD, counting each one. The compact form carries any text in
 * base64, but AbuseHelper decodes it as UTF-8, which has no encoding for a lone surrogate.
 */
export function replaceLoneSurrogates(text: string, stats?: CodecStats): string {
  if (!MAYBE_LONE_SURROGATE.test(text)) return text;
  return replaceCounted(text, LONE_SURROGATE, stats);
}

/** Whether the text has any surrogate, paired or not (a quick test, no `u` flag). */
export function hasSurrogates(text: string): boolean {
  return MAYBE_LONE_SURROGATE.test(text);
}

function replaceCounted(text: string, pattern: RegExp, stats: CodecStats | undefined): string {
  return text.replace(pattern, () => {
    if (stats !== undefined) stats.replacedChars += 1;
    return REPLACEMENT;
  });
}

const ATTR_SPECIAL = /[&<>"\t\n\r]/;
const ATTR_SPECIAL_ALL = /[&<>"\t\n\r]/g;
const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIAL_ALL = /[&<>\r]/g;

// Tab, LF and CR go out as character references: a parser normalises them to spaces inside an
// attribute value otherwise (XML 1.0 §3.3.3), and CR to LF in text (§2.11). Python's
// xml.sax.saxutils.quoteattr, which AbuseHelper's idiokit uses, does the same.
const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

function entity(char: string): string {
  return ENTITIES[char] ?? char;
}

/** Escape text for a double-quoted attribute value. The text must already be XML-legal. */
export function escapeAttr(text: string): string {
  return ATTR_SPECIAL.test(text) ? text.replace(ATTR_SPECIAL_ALL, entity) : text;
}

/** Escape text for element content. The text must already be XML-legal. */
export function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text) ? text.replace(TEXT_SPECIAL_ALL, entity) : text;
}
