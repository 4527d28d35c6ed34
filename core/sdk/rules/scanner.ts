// Tokens of the rule language (abusehelper/core/rules/rulelang.py): whitespace, keywords,
// quoted and bare strings, and /regexp/ literals. Each scanner takes the text and an offset and
// returns what it read with the offset after it, or null when there is no such token there; a
// token that has clearly started but is broken (an unclosed quote) throws RuleSyntaxError.
import type { RegExpAtom } from "./ast.js";
import { fail } from "./errors.js";
import { compilePattern, unescapeSlashes } from "./regexp.js";

/** Whitespace between tokens: exactly the four characters rulelang.py's `ws` accepts. */
export function isWs(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r";
}

export function skipWs(text: string, pos: number): number {
  while (isWs(text[pos])) pos++;
  return pos;
}

/** Where a token may end: whitespace, a closing parenthesis or the end of the text. */
export function isBoundary(text: string, pos: number): boolean {
  return pos >= text.length || isWs(text[pos]) || text[pos] === ")";
}

/** Whether a keyword (case-insensitive) starts at `pos`. */
export function keywordAt(text: string, pos: number, word: string): boolean {
  return text.slice(pos, pos + word.length).toLowerCase() === word;
}

export const KEYWORDS: ReadonlySet<string> = new Set(["and", "or", "no", "not", "in"]);

// A bare string: no whitespace (Python 2 \s without re.U: ASCII only) and none of \ ( ) " * ! = /.
export const UNQUOTED = /[^ \t\n\r\f\v\\()"*!=/]+/y;
const QUOTED = /"(?:\\u[0-9a-fA-F]{4}|\\["\\/bfnrt]|[^\\"])*"/y;
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters
const CONTROL = /[\u0000-\u001f]/;

export interface Scanned<T> {
  readonly value: T;
  readonly end: number;
}

/** A JSON-style quoted string or a bare word. */
export function scanString(text: string, pos: number): Scanned<string> | null {
  const rex = text[pos] === '"' ? QUOTED : UNQUOTED;
  rex.lastIndex = pos;
  const tok = rex.exec(text)?.[0];
  if (tok === undefined) {
    if (rex === QUOTED) quotedError(text, pos);
    return null;
  }
  const end = pos + tok.length;
  if (rex === UNQUOTED) return { value: tok, end };
  const control = CONTROL.exec(tok);
  if (control !== null) {
    fail(text, pos + control.index, "no raw control character in a quoted string (use \\n, \\t…)");
  }
  return { value: JSON.parse(tok) as string, end };
}

function quotedError(text: string, start: number): never {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '"') break;
    if (text[i] !== "\\") continue;
    const escape = /^\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt])/.exec(text.slice(i));
    if (escape === null) fail(text, i, 'an escape \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX');
    i += escape[0].length - 1;
  }
  return fail(text, text.length, `'"' (the string at position ${start + 1} is not closed)`);
}

// rulelang.py regexp_parser: `/`, then escaped characters (not a newline) or anything but `\`
// and `/`, then `/` and an optional `i`.
const REGEXP_LITERAL = /\/((?:\\[^\n]|[^\\/])*)\/(i)?/y;

/** A `/pattern/` or `/pattern/i` literal; throws when it is unclosed or does not compile. */
export function scanRegExp(text: string, pos: number): Scanned<RegExpAtom> | null {
  if (text[pos] !== "/") return null;
  REGEXP_LITERAL.lastIndex = pos;
  const match = REGEXP_LITERAL.exec(text);
  if (match === null) {
    return fail(
      text,
      text.length,
      `'/' (the regular expression at position ${pos + 1} is not closed)`,
    );
  }
  const atom: RegExpAtom = {
    kind: "regexp",
    pattern: unescapeSlashes(match[1] ?? ""),
    ignoreCase: match[2] !== undefined,
  };
  try {
    compilePattern(atom.pattern, atom.ignoreCase);
  } catch (err) {
    // V8 says "Invalid regular expression: /(/s: Unterminated group": keep the last part.
    const reason = (err instanceof Error ? err.message : String(err)).split(": ").pop();
    fail(text, pos, `a valid regular expression (${reason})`);
  }
  return { value: atom, end: REGEXP_LITERAL.lastIndex };
}
