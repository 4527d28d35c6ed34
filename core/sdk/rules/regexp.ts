// Regular expressions: AbuseHelper compiles them with Python's re (re.U | re.S, plus re.I for
// /.../i) and searches unanchored (abusehelper/core/rules/atoms.py RegExp). We translate the
// Python-only syntax that has a direct JavaScript equivalent and let the JS engine reject the
// rest. Known differences that remain: \w, \d and \b are ASCII-only in JS (without the u flag,
// which would reject Python's lenient escapes such as \- or \:), and `.` matches one UTF-16
// code unit, so an astral character counts as two.

import { RE2JS } from "re2js";

/** Flags Python allows inline as `(?imsux)`; x (verbose) and L (locale) have no JS form. */
const INLINE_FLAGS = /^\(\?([a-zA-Z]+)\)/;

export class RegExpTranslationError extends Error {
  override readonly name = "RegExpTranslationError";
}

interface Translation {
  source: string;
  flags: string;
}

/** The JS RegExp for a pattern; throws RegExpTranslationError or the engine's SyntaxError. */
export function compilePattern(pattern: string, ignoreCase: boolean): RegExp {
  const { source, flags } = translate(pattern);
  const all = new Set(["s", ...flags, ...(ignoreCase ? ["i"] : [])]);
  return new RegExp(source, [...all].sort().join(""));
}

/**
 * The same pattern on RE2 (re2js, pure JavaScript): time linear in the input, whatever the
 * pattern, so a hostile `/(a+)+$/` cannot freeze the process. RE2 has no backreferences and
 * no lookaround; such a pattern is refused with RegExpTranslationError saying so.
 */
export function linearPattern(pattern: string, ignoreCase: boolean): (value: string) => boolean {
  const { source: js, flags } = translate(pattern);
  // The anchors translate() spells with lookaround, in RE2's own words ($ without m is "end,
  // or before a final newline" in Python: consuming that newline does not change a search).
  const source = js
    .split("(?=\\n?(?![^]))")
    .join("(?:\\n?\\z)")
    .split("(?<![^])")
    .join("\\A")
    .split("(?![^])")
    .join("\\z");
  let bits = RE2JS.DOTALL;
  if (ignoreCase || flags.includes("i")) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) bits |= RE2JS.MULTILINE;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, bits);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, "") : "";
    throw new RegExpTranslationError(
      `${why} (questions run regexps on a linear-time engine: no backreferences or lookaround)`,
    );
  }
  return (value) => re.matcher(value).find();
}

function translate(pattern: string): Translation {
  const parts: string[] = [];
  const dollars: number[] = []; // indexes in parts of `$`, decided once all flags are known
  let flags = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    const rest = pattern.slice(i);
    if (ch === "\\") {
      parts.push(inClass ? ch + (pattern[i + 1] ?? "") : escape(pattern[i + 1] ?? ""));
      i++;
    } else if (inClass) {
      if (ch === "]") inClass = false;
      parts.push(ch);
    } else if (ch === "[") {
      inClass = true;
      // A "]" first in a class is literal in Python and means "empty class" in JS.
      const head = /^\[\^?\]?/.exec(rest)?.[0] ?? "[";
      parts.push(head.endsWith("]") ? `${head.slice(0, -1)}\\]` : head);
      i += head.length - 1;
    } else if (rest.startsWith("(?P<")) {
      parts.push("(?<");
      i += 3;
    } else if (rest.startsWith("(?P=")) {
      const close = pattern.indexOf(")", i);
      if (close < 0) throw new RegExpTranslationError("unterminated (?P=name)");
      parts.push(`\\k<${pattern.slice(i + 4, close)}>`);
      i = close;
    } else if (ch === "$") {
      dollars.push(parts.push(ch) - 1);
    } else {
      const inline = INLINE_FLAGS.exec(rest);
      if (inline === null) parts.push(ch);
      else {
        flags += inlineFlags(inline[1] ?? "");
        i += inline[0].length - 1;
      }
    }
  }
  // Without re.M, Python's $ also matches before a newline that ends the string.
  if (!flags.includes("m")) for (const at of dollars) parts[at] = "(?=\\n?(?![^]))";
  return { source: parts.join(""), flags };
}

/** An escape outside a class: \A and \Z are start and end of the whole string in Python. */
function escape(next: string): string {
  if (next === "A") return "(?<![^])";
  if (next === "Z") return "(?![^])";
  return "\\" + next;
}

function inlineFlags(letters: string): string {
  let flags = "";
  for (const letter of letters) {
    if (letter === "i" || letter === "m") flags += letter;
    else if (letter !== "s" && letter !== "u") {
      throw new RegExpTranslationError(`inline flag (?${letter}) is not supported`);
    }
  }
  return flags;
}

/**
 * Rule text for a pattern: every `/` not already escaped gets a backslash, so `/.../` can hold
 * it (rulelang.py format_regexp).
 */
export function escapeSlashes(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    if (ch === "\\") {
      out += ch + (pattern[i + 1] ?? "");
      i++;
    } else {
      out += ch === "/" ? "\\/" : ch;
    }
  }
  return out;
}

/** The pattern of a `/.../` literal as the engine reads it: `\/` is just `/`. */
export function unescapeSlashes(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? "";
    if (ch === "\\") {
      const next = body[i + 1] ?? "";
      out += next === "/" ? "/" : ch + next;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Escape text for use inside a u-flag RegExp (only syntax characters may be escaped there). */
export function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}
