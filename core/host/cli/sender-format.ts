// AbuseHelper 5.7's command line event format, read and written the way its tools do:
// abusehelper/tools/sender.py reads one JSON object a line with
// `json.JSONDecoder(parse_float=unicode, parse_int=unicode)` and builds `events.Event(obj)`;
// abusehelper/tools/receiver.py prints `{key: [values]}` with Python's default JSONEncoder.
import { compareCodePoints, Event } from "../../sdk/event.js";

/** A line that is not an event in the sender format; the message says why. */
export class SenderFormatError extends Error {
  override name = "SenderFormatError";
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The JSON text with every number in a value position turned into a string holding the number's
 * literal text, as `parse_int=unicode, parse_float=unicode` does: `80` → `"80"`, `1.50` →
 * `"1.50"`, `1e3` → `"1e3"`. Anything else (valid or not) is left for JSON.parse to judge.
 */
export function numbersAsStrings(text: string): string {
  const stack: string[] = [];
  let prev = ""; // last structural token outside strings; "v" after any value
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length;) {
    const c = text[i] ?? "";
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      prev = "v";
      continue;
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      const inValue =
        prev === "" || prev === ":" || prev === "[" || (prev === "," && stack.at(-1) === "[");
      if (m !== null && inValue) {
        out += text.slice(from, i) + `"${m[0]}"`;
        i += m[0].length;
        from = i;
        prev = "v";
        continue;
      }
    }
    if (c === "{" || c === "[") stack.push(c);
    else if (c === "}" || c === "]") stack.pop();
    if (c === "{" || c === "[" || c === ":" || c === ",") prev = c;
    else if (c.trim() !== "") prev = "v";
    i++;
  }
  return from === 0 ? text : out + text.slice(from);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list inside a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * One line of the sender format as an event: a JSON object whose values are strings, numbers
 * (taken as their text) or lists of those. AbuseHelper's sender stops with a TypeError on
 * `true`, `false`, `null` or a nested list; here they throw a SenderFormatError naming the key.
 * `{}` and `{"a": []}` are the empty event, which AbuseHelper sends too.
 */
export function parseSenderLine(text: string): Event {
  let parsed: unknown;
  try {
    parsed = JSON.parse(numbersAsStrings(text));
  } catch (err) {
    // The original text gives the message with the right position.
    let reason = (err as Error).message;
    try {
      JSON.parse(text);
    } catch (original) {
      reason = (original as Error).message;
    }
    throw new SenderFormatError(`not JSON (${reason})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SenderFormatError(
      `expected a JSON object of key to string or list of strings, got ${describe(parsed)}`,
    );
  }
  const event = new Event();
  for (const [key, raw] of Object.entries(parsed as Record<string, unknown>)) {
    for (const value of Array.isArray(raw) ? (raw as unknown[]) : [raw]) {
      if (typeof value !== "string") {
        const what = Array.isArray(raw) && !Array.isArray(value) ? ` in the list` : "";
        throw new SenderFormatError(
          `key ${JSON.stringify(key)}: expected a string, a number or a list of them, got ${describe(value)}${what}`,
        );
      }
      event.add(key, value);
    }
  }
  return event;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/**
 * A JSON string as Python 2's `json.dumps` writes it (ensure_ascii): every UTF-16 unit outside
 * printable ASCII as `\uxxxx` in lower case, so characters beyond the BMP as surrogate pairs.
 */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (const c of s) {
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c >= " " && c <= "~") out += c;
    else
      for (let i = 0; i < c.length; i++)
        out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
  }
  return out + '"';
}

/**
 * One event as abusehelper.tools.receiver prints it: `{"key": ["value", ...]}`, every value in
 * a list, with Python's separators (`", "`, `": "`) and ASCII escapes; keys and values sorted
 * here so the output is stable. The empty event is `{}`.
 */
export function receiverLine(event: Event): string {
  const parts = event
    .keys()
    .sort(compareCodePoints)
    .map((key) => {
      const values = event.values(key).sort(compareCodePoints).map(pythonJsonString);
      return `${pythonJsonString(key)}: [${values.join(", ")}]`;
    });
  return `{${parts.join(", ")}}`;
}
