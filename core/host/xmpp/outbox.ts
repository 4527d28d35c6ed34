import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { Event } from "../../sdk/event.js";

/** One accepted event that the room has not reflected yet. */
export interface OutboxEntry {
  /** Monotonic sequence number: acknowledgements name it. */
  seq: number;
  room: string;
  event: Event;
}

export interface OutboxOptions {
  /** Spool file (JSON lines); without one the outbox lives in memory only. */
  file?: string;
  log: Logger;
  /** Rewrite the spool once this many acknowledged entries have piled up in it (default 20 000). */
  compactAfter?: number;
}

/**
 * Events accepted for publishing and not yet reflected by their room. With a spool file every
 * accepted event is appended before `add` returns, so a crashed process loses nothing it had
 * accepted: the next start loads the spool and re-sends.
 *
 * Spool format, one JSON object a line, append-only:
 *   {"s":7,"r":"raw@rooms.localhost","e":{"ip":["192.0.2.1"]}}   accepted event #7
 *   {"a":[5,6,7]}                                                 #5–#7 reflected by the room
 * A torn last line (crash mid-write) is ignored. Compaction rewrites the live entries to a
 * temporary file and renames it over the spool (atomic on POSIX).
 */
export class Outbox {
  readonly #live = new Map<number, OutboxEntry>();
  readonly #file: string | undefined;
  readonly #log: Logger;
  readonly #compactAfter: number;
  #fd: number | undefined;
  #nextSeq = 1;
  #ackedInSpool = 0;

  constructor(opts: OutboxOptions) {
    this.#file = opts.file;
    this.#log = opts.log;
    this.#compactAfter = opts.compactAfter ?? 20_000;
  }

  /** Load the spool (if any) and open it for appending; returns the entries still owed. */
  open(): OutboxEntry[] {
    const file = this.#file;
    if (file === undefined) return [];
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) this.#load(file);
    this.#compact(); // start from a clean file holding just what is owed
    return this.entries();
  }

  /** Entries not yet acknowledged, oldest first. */
  entries(): OutboxEntry[] {
    return [...this.#live.values()];
  }

  /** Number of entries not yet acknowledged. */
  get size(): number {
    return this.#live.size;
  }

  /** Accept an event: assign it a sequence number and spool it. */
  add(room: string, event: Event): OutboxEntry {
    const entry: OutboxEntry = { seq: this.#nextSeq++, room, event };
    this.#live.set(entry.seq, entry);
    this.#append(`${JSON.stringify({ s: entry.seq, r: room, e: eventJson(event) })}\n`);
    return entry;
  }

  /** The room reflected these: forget them. */
  ack(seqs: readonly number[]): void {
    const done = seqs.filter((seq) => this.#live.delete(seq));
    if (done.length === 0 || this.#fd === undefined) return;
    this.#append(`${JSON.stringify({ a: done })}\n`);
    this.#ackedInSpool += done.length;
    if (this.#ackedInSpool >= this.#compactAfter && this.#ackedInSpool > this.#live.size)
      this.#compact();
  }

  /** Close the spool file; what is owed stays in it for the next start. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #append(line: string): void {
    if (this.#fd !== undefined) writeSync(this.#fd, line);
  }

  #load(file: string): void {
    const lines = readFileSync(file, "utf8").split("\n");
    let bad = 0;
    for (const [i, line] of lines.entries()) {
      if (line === "") continue;
      try {
        const rec = JSON.parse(line) as { s?: number; r?: string; e?: unknown; a?: number[] };
        if (Array.isArray(rec.a)) for (const seq of rec.a) this.#live.delete(seq);
        else if (typeof rec.s === "number" && typeof rec.r === "string") {
          this.#live.set(rec.s, { seq: rec.s, room: rec.r, event: Event.fromJson(rec.e) });
          this.#nextSeq = Math.max(this.#nextSeq, rec.s + 1);
        } else bad++;
      } catch (err) {
        // The last line may be torn by a crash mid-write; anything else is worth a warning.
        if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l !== "")) bad++;
        else this.#log.debug({ err, file }, "ignoring a torn last spool line");
      }
    }
    if (bad > 0) this.#log.warn({ file, bad }, "skipped unreadable outbox spool lines");
    this.#log.info({ file, owed: this.#live.size }, "outbox spool loaded");
  }

  #compact(): void {
    const file = this.#file;
    if (file === undefined) return;
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, "w");
    let chunk = "";
    for (const entry of this.#live.values()) {
      chunk += `${JSON.stringify({ s: entry.seq, r: entry.room, e: eventJson(entry.event) })}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = "";
      }
    }
    writeSync(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
    this.close();
    this.#fd = openSync(file, "a");
    this.#ackedInSpool = 0;
  }
}

/** The event's pairs as `{key: [values]}`, unsorted (cheaper than toJSON; order is irrelevant). */
function eventJson(event: Event): Record<string, string[]> {
  // fromEntries defines own properties, so a key such as "__proto__" survives the round trip.
  return Object.fromEntries(Array.from(event.entries(), ([key, values]) => [key, [...values]]));
}
