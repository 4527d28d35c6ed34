import { Event } from "../../sdk/event.js";

// The human-readable body of legacy messages: `key=value` pairs joined by ", " (AbuseHelper's
// Event.__unicode__ and Event.from_unicode in abusehelper/core/events.py).

/**
 * Python's `\s` on unicode text (what str.isspace() accepts), which AbuseHelper's quoting and
 * parsing use. Written out because JavaScript's `\s` differs (it has U+FEFF, lacks U+001C..1F
 * and U+0085).
 */
const WS =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const NEEDS_QUOTES = new RegExp(`[${WS}"\\\\,=]`);
const QUOTE_ESCAPES = /["\\]/g;
const ONLY_SPACE = new RegExp(`^[${WS}]*$`);
const TRAILING_SPACE = new RegExp(`[${WS}]+$`);
const SPACE_RUN = new RegExp(`[${WS}]*`, "y");
const BARE_TOKEN = new RegExp(`[^${WS}"=,]+`, "y");
// Python's `.` is anything but a newline, so a backslash before a newline stays literal.
const UNESCAPE = /\\([^\n])/g;

/** A token as AbuseHelper writes it: quoted when it has whitespace, `"`, `\`, `,` or `=`. */
export function quoteToken(token: string): string {
  if (!NEEDS_QUOTES.test(token)) return token;
  return `"${token.replace(QUOTE_ESCAPES, "\\$&")}"`;
}

/** `key=value` pairs joined by ", ", in code point order so the text is stable. */
export function formatBody(event: Event): string {
  return event
    .sortedItems()
    .map(([key, value]) => `${quoteToken(key)}=${quoteToken(value)}`)
    .join(", ");
}

/** A body text that is not `key=value` pairs; `position` is the 0-based index into the text. */
export class BodyParseError extends Error {
  override readonly name = "BodyParseError";

  constructor(
    readonly position: number,
    readonly expected: string,
    found: string | undefined,
  ) {
    const what = found === undefined ? "end of text" : JSON.stringify(found);
    super(`body: unexpected ${what} at position ${position}, expected ${expected}`);
  }
}

/**
 * Parse a body back into an event, following AbuseHelper's Event.from_unicode grammar: pairs
 * `key=value` separated by `,`; a token is a double-quoted string (backslash escapes the next
 * character) or a run of characters other than whitespace, `"`, `=` and `,`, or empty; spaces
 * around tokens are ignored. Empty or all-space text is the empty event.
 */
export function parseBody(text: string): Event {
  const event = new Event();
  if (ONLY_SPACE.test(text)) return event;
  const scanner = new TokenScanner(text);
  let index = 0;
  for (;;) {
    const key = scanner.token(index);
    index = expect(text, key.end, "=", '"="');
    const value = scanner.token(index);
    event.add(key.text, value.text);
    if (value.end >= text.length) return event;
    index = expect(text, value.end, ",", '"," or end of text');
  }
}

function expect(text: string, index: number, char: string, expected: string): number {
  if (index < text.length) {
    if (text[index] !== char) throw new BodyParseError(index, expected, text[index]);
    return index + 1;
  }
  // At the end, point just past the last token, where the missing character belongs.
  throw new BodyParseError(text.replace(TRAILING_SPACE, "").length, expected, undefined);
}

interface Token {
  text: string;
  end: number;
}

/** Reads tokens the way AbuseHelper's `_UNICODE_PART` regular expression matches them. */
class TokenScanner {
  #closing: Int32Array | undefined;

  constructor(readonly text: string) {}

  token(start: number): Token {
    let index = skipSpace(this.text, start);
    let text = "";
    const close = this.text[index] === '"' ? this.#closingQuote(index + 1) : -1;
    if (close >= 0) {
      text = this.text.slice(index + 1, close).replace(UNESCAPE, "$1");
      index = close + 1;
    } else {
      BARE_TOKEN.lastIndex = index;
      const bare = BARE_TOKEN.exec(this.text);
      if (bare !== null) {
        text = bare[0];
        index += text.length;
      }
    }
    return { text, end: skipSpace(this.text, index) };
  }

  /**
   * Where a quoted string whose content starts at `from` closes, or -1. The Python pattern
   * `"((?:\\.|[^"])*)"` backtracks: when the greedy reading (an escape pair wherever possible)
   * finds no closing quote, it retries reading some backslashes as plain characters. A naive
   * regex does that in exponential time on runs of backslashes, so the same answer is computed
   * for every position at once, right to left: from position i the match closes at
   * closing[i+2] when i starts an escape pair and that succeeds, else at closing[i+1].
   */
  #closingQuote(from: number): number {
    this.#closing ??= closingTable(this.text);
    return this.#closing[from] ?? -1;
  }
}

function closingTable(text: string): Int32Array {
  const n = text.length;
  const closing = new Int32Array(n + 2).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const char = text[i];
    if (char === '"') {
      closing[i] = i;
      continue;
    }
    const escape = char === "\\" && i + 1 < n && text[i + 1] !== "\n" ? (closing[i + 2] ?? -1) : -1;
    closing[i] = escape >= 0 ? escape : (closing[i + 1] ?? -1);
  }
  return closing;
}

function skipSpace(text: string, index: number): number {
  SPACE_RUN.lastIndex = index;
  SPACE_RUN.exec(text);
  return SPACE_RUN.lastIndex;
}
