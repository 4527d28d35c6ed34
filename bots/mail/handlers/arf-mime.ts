/**
 * The MIME parts of a report mail as they were sent, for the structured formats (ARF, X-ARF,
 * fail2ban). mailparser folds an inline `message/rfc822` part (the message an ARF report is
 * about) and a `text/plain` part that has only a `name=` parameter (X-ARF's report.txt) into
 * `parsed.text`, so these handlers walk the raw mail themselves. Also: the fields of a
 * header-like block with their line numbers (RFC 5965 §3), and mail dates.
 */
import { headerLines } from "../parse.js";

export interface MimePart {
  /** `part 2`, `part 2.1`: the IMAP section number (RFC 3501 §6.4.5), for messages. */
  where: string;
  /** Lower-case media type, `text/plain` when the part names none (RFC 2045 §5.2). */
  type: string;
  /** Content-Type parameters, lower-case names. */
  params: Record<string, string>;
  headers: Map<string, string[]>;
  /** The body with its Content-Transfer-Encoding undone. */
  body: Buffer;
}

// A hostile mail can nest multiparts deeply or hold thousands of parts; reports have a few.
const MAX_DEPTH = 8;
const MAX_PARTS = 200;

/** The leaf parts of a mail, in order; a message/rfc822 part is a leaf (its body is the message). */
export function mimeParts(raw: Buffer): MimePart[] {
  const out: MimePart[] = [];
  walk(raw.toString("latin1"), "", 0, out);
  return out;
}

function walk(text: string, number: string, depth: number, out: MimePart[]): void {
  const { head, body } = splitHead(text);
  const headers = headerLines(head);
  const { type, params } = contentType(headers.get("content-type")?.[0]);
  const boundary = params["boundary"];
  if (type.startsWith("multipart/") && boundary && depth < MAX_DEPTH) {
    let n = 0;
    for (const child of splitMultipart(body, boundary)) {
      if (out.length >= MAX_PARTS) return;
      n++;
      walk(child, number ? `${number}.${n}` : String(n), depth + 1, out);
    }
    return;
  }
  if (out.length >= MAX_PARTS) return;
  const cte = headers.get("content-transfer-encoding")?.[0]?.trim().toLowerCase();
  out.push({ where: `part ${number || "1"}`, type, params, headers, body: decode(body, cte) });
}

/** Header block and body; a part that starts with an empty line has no headers (RFC 2046 §5.1.1). */
function splitHead(text: string): { head: string; body: string } {
  const empty = /^\r?\n/.exec(text);
  if (empty) return { head: "", body: text.slice(empty[0].length) };
  const end = /\r?\n\r?\n/.exec(text);
  if (!end) return { head: text, body: "" };
  return { head: text.slice(0, end.index), body: text.slice(end.index + end[0].length) };
}

/** The body parts between boundary lines; the preamble and epilogue are dropped (RFC 2046 §5.1.1). */
function splitMultipart(body: string, boundary: string): string[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // The line break before a delimiter belongs to the delimiter, not to the part before it.
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escaped}(--)?[ \\t]*(?=\\r?\\n|$)`, "g");
  const parts: string[] = [];
  let start: number | undefined;
  for (const m of body.matchAll(delimiter)) {
    if (start !== undefined) parts.push(body.slice(start, m.index));
    if (m[1] === "--") return parts;
    start = m.index + m[0].length;
    const lineEnd = /^\r?\n/.exec(body.slice(start, start + 2));
    if (lineEnd) start += lineEnd[0].length;
  }
  // No close delimiter (a truncated mail): the last part runs to the end.
  if (start !== undefined) parts.push(body.slice(start));
  return parts;
}

/** `text/plain; charset="utf-8"; name=report.txt` → type and parameters. */
export function contentType(value: string | undefined): {
  type: string;
  params: Record<string, string>;
} {
  const params: Record<string, string> = {};
  if (value === undefined) return { type: "text/plain", params };
  const pieces = value.match(/(?:[^;"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  const type = (pieces.shift() ?? "").trim().toLowerCase();
  for (const piece of pieces) {
    const eq = piece.indexOf("=");
    if (eq < 0) continue;
    const name = piece.slice(0, eq).trim().toLowerCase();
    let v = piece.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) {
      v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    params[name] = v;
  }
  return { type: type.includes("/") ? type : "text/plain", params };
}

function decode(body: string, cte: string | undefined): Buffer {
  if (cte === "base64") return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ""), "base64");
  if (cte === "quoted-printable") {
    const text = body
      .replace(/[ \t]+(?=\r?\n)/g, "")
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(text, "latin1");
  }
  return Buffer.from(body, "latin1");
}

/** A part's body as text, in its charset (UTF-8 when it names none or one Node does not know). */
export function textOf(part: MimePart): string {
  const charset = part.params["charset"] ?? "utf-8";
  try {
    return new TextDecoder(charset).decode(part.body);
  } catch {
    return new TextDecoder("utf-8").decode(part.body);
  }
}

/** The file name of a part: Content-Type name= or Content-Disposition filename=. */
export function fileNameOf(part: MimePart): string | undefined {
  const disposition = contentType(
    "x/x;" + (part.headers.get("content-disposition")?.[0] ?? "").replace(/^[^;]*;?/, ""),
  );
  return part.params["name"] ?? disposition.params["filename"];
}

export interface Field {
  /** Lower-case name. */
  name: string;
  value: string;
  /** 1-based line of the block where the field starts. */
  line: number;
}

/** `Name: value` fields with folded lines unfolded (RFC 5322 §2.2.3), in order. */
export function fieldsOf(text: string): { fields: Field[]; bad: number[] } {
  const fields: Field[] = [];
  const bad: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      if (line.trim()) last.value += " " + line.trim();
      continue;
    }
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    if (colon <= 0 || !/^[!-9;-~]+$/.test(line.slice(0, colon).trim())) {
      bad.push(i + 1);
      continue;
    }
    fields.push({
      name: line.slice(0, colon).trim().toLowerCase(),
      value: line.slice(colon + 1).trim(),
      line: i + 1,
    });
  }
  return { fields, bad };
}

/**
 * A date as mails write it (RFC 5322 §3.3, `Thu, 8 Mar 2005 17:40:36 -0400`) or as RFC 3339
 * does; undefined for anything else. Date.parse alone would read `Version 2` as a date.
 */
export function readDate(text: string): Date | undefined {
  if (!/\d{4}/.test(text) || !/\d{1,2}:\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text.replace(/\s*\([^)]*\)\s*$/, "")); // drop a trailing `(CET)` comment
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
