/**
 * Mails stored as files, for the `mail-file` source: an mbox (messages split on `From ` lines,
 * mboxrd `>From ` unquoting), a Maildir (new/ and cur/) or a directory of `.eml` files. Each is
 * read as a stream with the memory of one mail, and no mail beyond `maxBytes` is held.
 */
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export type MailFileFormat = "maildir" | "mbox" | "eml";

/** What `path` holds: a directory with new/ or cur/ is a Maildir, another directory holds .eml files, a file is an mbox (or one .eml). */
export async function formatOf(path: string): Promise<MailFileFormat> {
  const s = await stat(path);
  if (!s.isDirectory()) return /\.eml$/i.test(path) ? "eml" : "mbox";
  const has = async (sub: string) =>
    (await stat(join(path, sub)).catch(() => undefined))?.isDirectory();
  return (await has("new")) || (await has("cur")) ? "maildir" : "eml";
}

export interface MboxMail {
  /** The message without its `From ` line, `>From ` unquoted; cut at maxBytes. */
  raw: Buffer;
  /** Its size in the file, uncut. */
  size: number;
  /** Byte offsets of its `From ` line and of the next message (or the end). */
  start: number;
  end: number;
}

const FROM = Buffer.from("From ");
/** A line longer than this is handed on in pieces (a mail may be one huge base64 line). */
const PIECE = 1 << 20;

/**
 * The messages of an mbox from byte `from` (which must begin a message, or be 0). With
 * `final` false the last message is held back: it may still be being written.
 */
export async function* mboxMails(
  file: string,
  from: number,
  maxBytes: number,
  final: boolean,
): AsyncGenerator<MboxMail> {
  let current: { start: number; parts: Buffer[]; kept: number; size: number } | undefined;
  let prevBlank = true; // the start of the read counts as after a blank line
  let inSeparator = false;
  let at = from;
  const finish = (end: number): MboxMail | undefined => {
    const c = current;
    current = undefined;
    if (c === undefined) return undefined;
    let raw = Buffer.concat(c.parts);
    // The blank line before the next `From ` belongs to the format, not to the mail.
    if (end < Number.MAX_SAFE_INTEGER) raw = raw.subarray(0, raw.length - trailingBlank(raw));
    if (c.size === 0 && raw.length === 0) return undefined;
    return { raw, size: c.size, start: c.start, end };
  };
  for await (const piece of pieces(file, from)) {
    const { bytes, lineStart, lineEnd } = piece;
    if (lineStart && prevBlank && startsWith(bytes, FROM)) {
      const done = finish(at);
      if (done) yield done;
      current = { start: at, parts: [], kept: 0, size: 0 };
      inSeparator = !lineEnd;
      prevBlank = false;
      at += bytes.length;
      continue;
    }
    if (inSeparator) {
      inSeparator = !lineEnd;
      at += bytes.length;
      continue;
    }
    current ??= { start: at, parts: [], kept: 0, size: 0 };
    // mboxrd (and mboxo): a body line `>From ` (any number of >) was written with one > more.
    const out =
      lineStart && /^>+From /.test(bytes.subarray(0, 64).toString("latin1"))
        ? bytes.subarray(1)
        : bytes;
    current.size += bytes.length;
    if (current.kept < maxBytes) {
      const take = out.subarray(0, maxBytes - current.kept);
      current.parts.push(take);
      current.kept += take.length;
    }
    prevBlank = lineStart && lineEnd && isBlank(bytes);
    at += bytes.length;
  }
  if (final) {
    const done = finish(Number.MAX_SAFE_INTEGER);
    if (done) yield { ...done, end: at };
  }
}

interface Piece {
  bytes: Buffer;
  lineStart: boolean;
  /** The piece ends with its line's "\n". */
  lineEnd: boolean;
}

/** The file from `from` as lines (each with its "\n"), long lines in pieces of PIECE bytes. */
async function* pieces(file: string, from: number): AsyncGenerator<Piece> {
  let carry: Buffer = Buffer.alloc(0);
  let carryStartsLine = true;
  for await (const chunk of createReadStream(file, { start: from, highWaterMark: 64 * 1024 })) {
    let buf: Buffer =
      carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let lineStart: boolean = carryStartsLine;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
      yield { bytes: buf.subarray(0, nl + 1), lineStart, lineEnd: true };
      buf = buf.subarray(nl + 1);
      lineStart = true;
    }
    if (buf.length >= PIECE) {
      yield { bytes: buf, lineStart, lineEnd: false };
      buf = Buffer.alloc(0);
      lineStart = false;
    }
    carry = Buffer.from(buf); // a copy: the chunk is not kept alive by its small tail
    carryStartsLine = lineStart;
  }
  if (carry.length > 0) yield { bytes: carry, lineStart: carryStartsLine, lineEnd: false };
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.subarray(0, prefix.length).equals(prefix);
}

function isBlank(line: Buffer): boolean {
  return line.length === 1 || (line.length === 2 && line[0] === 13);
}

function trailingBlank(raw: Buffer): number {
  if (raw.length >= 2 && raw[raw.length - 1] === 10 && raw[raw.length - 2] === 10) return 1;
  if (raw.length >= 4 && raw.subarray(-4).toString("latin1") === "\r\n\r\n") return 2;
  return 0;
}

export interface MailFileEntry {
  /** Full path of the file. */
  file: string;
  /** Shown in messages: `new/1715681347.M1P2.host`, `report.eml`. */
  name: string;
  /** What identifies the mail across moves (a Maildir file's unique part) with its size. */
  identity: string;
  size: number;
}

/** The mail files of a Maildir (new/ then cur/) or an .eml directory, oldest name first. */
export async function mailFiles(path: string, format: "maildir" | "eml"): Promise<MailFileEntry[]> {
  if (format === "eml" && !(await stat(path)).isDirectory()) {
    const size = (await stat(path)).size;
    return [{ file: path, name: path, identity: `eml:${path}:${size}`, size }];
  }
  const dirs = format === "maildir" ? ["new", "cur"] : [""];
  const out: MailFileEntry[] = [];
  for (const sub of dirs) {
    const dir = join(path, sub);
    const names = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of names) {
      if (!e.isFile() || e.name.startsWith(".")) continue;
      if (format === "eml" && !/\.eml$/i.test(e.name)) continue;
      const file = join(dir, e.name);
      const size = (await stat(file)).size;
      // A Maildir file keeps its unique name when a reader moves it to cur/ and adds flags
      // after the colon (`1715681347.M1P2.host:2,S`).
      const uniq = format === "maildir" ? (e.name.split(":")[0] ?? e.name) : e.name;
      out.push({
        file,
        name: sub ? `${sub}/${e.name}` : e.name,
        identity: `${format}:${uniq}:${size}`,
        size,
      });
    }
  }
  // Maildir names begin with the delivery time in seconds: by name is by age.
  return out.sort((a, b) =>
    a.name.replace(/^(new|cur)\//, "") < b.name.replace(/^(new|cur)\//, "") ? -1 : 1,
  );
}

/** The first `maxBytes` of a file. */
export async function readStart(file: string, maxBytes: number): Promise<Buffer> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
