/** One segment file of a journal (see journal.ts): its bookkeeping, reading and rewriting. */
import {
  appendFileSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

export interface Segment<T> {
  readonly file: string;
  /** Open for appending: the active segment only. */
  fd: number | undefined;
  /** Its records have seqs in first..last. */
  first: number;
  last: number;
  /** Unacknowledged seqs; undefined while that is all of first..last (O(1) for FIFO acks). */
  live: Set<number> | undefined;
  /** Unacknowledged values in memory; undefined when spilled (only on disk). */
  values: Map<number, T> | undefined;
  /** Lines in the file (records and acks): the dead ones are what compaction saves. */
  lines: number;
  /** Records appended since this run made it: when full, a new segment starts. */
  appended: number;
  /** Length of the active segment's file, to cut off a line a failed write left half done. */
  bytes: number;
}

export const liveCount = (seg: Segment<unknown>): number =>
  seg.live?.size ?? Math.max(0, seg.last - seg.first + 1);

export const isLive = (seg: Segment<unknown>, seq: number): boolean =>
  seg.live ? seg.live.has(seq) : seg.first <= seq && seq <= seg.last;

/** A new, empty segment whose first record will be `first`. */
export function newSegment<T>(file: string, first: number, inMemory: boolean): Segment<T> {
  const values = inMemory ? new Map<number, T>() : undefined;
  return {
    file,
    fd: undefined,
    first,
    last: first - 1,
    live: undefined,
    values,
    lines: 0,
    appended: 0,
    bytes: 0,
  };
}

/** The segment a previous run left (values not yet placed in memory). */
export function loadedSegment<T>(file: string, read: SegmentRead<T>): Segment<T> {
  const seqs = [...read.values.keys()];
  const seg = newSegment<T>(file, seqs[0] ?? 1, false);
  seg.last = seqs.at(-1) ?? 0;
  if (seqs.length !== seg.last - seg.first + 1) seg.live = new Set(seqs);
  seg.lines = read.lines;
  return seg;
}

/** The segment that holds `seq` (segments are in order of their seqs). */
export function findSegment<T>(segs: Segment<T>[], seq: number): Segment<T> | undefined {
  let [lo, hi] = [0, segs.length - 1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segs[mid]?.first ?? Infinity) <= seq) lo = mid;
    else hi = mid - 1;
  }
  const seg = segs[lo];
  return seg !== undefined && seg.first <= seq && seq <= seg.last ? seg : undefined;
}

/** Mark a live seq acknowledged; the oldest one (FIFO) costs no set. */
export function forget(seg: Segment<unknown>, seq: number): void {
  if (seg.live === undefined && seq === seg.first) seg.first++;
  else if (seg.live !== undefined) seg.live.delete(seq);
  else {
    seg.live = new Set();
    for (let s = seg.first; s <= seg.last; s++) if (s !== seq) seg.live.add(s);
  }
}

type Line = { s?: unknown; v?: unknown; a?: unknown } | null;

/** What a segment file holds, after repairing its end so that it can be appended to again. */
export interface SegmentRead<T> {
  /** Unacknowledged values by seq, in order. */
  values: Map<number, T>;
  maxSeq: number;
  lines: number;
  /** The last line was torn by a crash mid-append: dropped, and the file truncated before it. */
  torn: boolean;
  /** `file:line` of lines that are not journal lines. */
  unreadable: string[];
}

export function readSegment<T>(file: string): SegmentRead<T> {
  const read = readJsonLines(file);
  // Cut a torn line off: an ack appended after it would otherwise be lost with it.
  if (read.end === "torn") truncateSync(file, read.bytes);
  else if (read.end === "unterminated") appendFileSync(file, "\n");
  const out: SegmentRead<T> = {
    values: new Map(),
    maxSeq: 0,
    lines: read.records.length + read.bad.length,
    torn: read.end === "torn",
    unreadable: read.bad.map((line) => `${file}:${line}`),
  };
  for (const { line, value } of read.records) {
    const rec = value as Line;
    if (typeof rec?.s === "number") {
      out.values.set(rec.s, rec.v as T);
      out.maxSeq = Math.max(out.maxSeq, rec.s);
    } else if (Array.isArray(rec?.a)) for (const seq of rec.a) out.values.delete(seq as number);
    else out.unreadable.push(`${file}:${line}`);
  }
  return out;
}

/** A spilled segment's unacknowledged values, read back from its file. */
export function liveValues<T>(seg: Segment<T>): Map<number, T> {
  const values = new Map<number, T>();
  for (const { value } of readJsonLines(seg.file).records) {
    const rec = value as Line;
    if (typeof rec?.s === "number" && isLive(seg, rec.s)) values.set(rec.s, rec.v as T);
  }
  return values;
}

/**
 * Replace a segment by just these records: a synced copy renamed over it (atomic on POSIX).
 * Returns the new file's length.
 */
export function rewriteSegment<T>(file: string, values: Map<number, T>): number {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w");
  let bytes = 0;
  try {
    let chunk = "";
    for (const [s, v] of values) {
      chunk += `${JSON.stringify({ s, v })}\n`;
      if (chunk.length < 1 << 20) continue;
      bytes += writeAll(fd, Buffer.from(chunk));
      chunk = "";
    }
    bytes += writeAll(fd, Buffer.from(chunk));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDir(dirname(file));
  return bytes;
}

/** writeSync may write less than asked (a full disk throws, a short write does not). */
export function writeAll(fd: number, buf: Buffer): number {
  for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
  return buf.length;
}

/** A new file's name survives a power loss only once its directory is synced (fsync(2)). */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can open a directory (Windows); the file's data is synced regardless.
  }
}

/** A JSON-lines file as read by the journal (and by migrations from older formats). */
export interface JsonLines {
  records: { line: number; value: unknown }[];
  /** Complete lines (1-based) that are not JSON. */
  bad: number[];
  /** How the file ends: a crash mid-write leaves a torn last line (not JSON, no newline). */
  end: "newline" | "torn" | "unterminated";
  /** Length up to the end of the last complete line. */
  bytes: number;
}

/** Read a JSON-lines file; a missing file reads as empty. */
export function readJsonLines(file: string): JsonLines {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      return { records: [], bad: [], end: "newline", bytes: 0 };
    throw err;
  }
  const bytes = buf.lastIndexOf(0x0a) + 1;
  const lines = buf.toString("utf8", 0, bytes).split("\n");
  const tail = buf.toString("utf8", bytes);
  if (tail !== "") lines[lines.length - 1] = tail;
  const out: JsonLines = { records: [], bad: [], end: "newline", bytes };
  for (const [i, text] of lines.entries()) {
    if (text === "") continue;
    const last = i === lines.length - 1 && tail !== "";
    try {
      out.records.push({ line: i + 1, value: JSON.parse(text) });
      if (last) out.end = "unterminated";
    } catch {
      if (last) out.end = "torn";
      else out.bad.push(i + 1);
    }
  }
  return out;
}
