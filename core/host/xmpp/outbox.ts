import { existsSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Logger } from "pino";
import { Event } from "../../sdk/event.js";
import { Journal, readJsonLines, type FsyncPolicy } from "../../sdk/journal.js";

/** One accepted event that the room has not reflected yet. */
export interface OutboxEntry {
  /** Sequence number in the journal: acknowledgements name it. */
  seq: number;
  room: string;
  event: Event;
}

export interface OutboxOptions {
  /**
   * Spool: the journal goes to the directory beside it named `<name>.journal` (`outbox.jsonl`
   * → `outbox.journal/`); a single-file spool of earlier versions at this path is taken over
   * on open(). Without one the outbox lives in memory only.
   */
  file?: string;
  log: Logger;
  /** Rewrite a journal segment once this many dead lines pile up in it (default 10 000). */
  compactAfter?: number;
  /**
   * Default: fsync once a second. A killed process loses nothing either way (every accepted
   * event is written before add() returns); a power loss may lose the last second. Per-event
   * fsync ("always") would cap publishing at a few hundred events a second.
   */
  fsync?: FsyncPolicy;
}

/** How an entry is journalled: room and the event's pairs. */
interface Spooled {
  r: string;
  e: Record<string, string[]>;
}

/**
 * Events accepted for publishing and not yet reflected by their room, journalled (core/sdk/
 * journal.ts) before `add` returns, so a crashed process loses nothing it had accepted: the
 * next start reloads what is owed and re-sends it. The Event objects are kept here, so the
 * journal holds none of its values in memory (`maxMemory: 0`).
 */
export class Outbox {
  readonly #live = new Map<number, OutboxEntry>();
  readonly #journal: Journal<Spooled> | undefined;
  readonly #file: string | undefined;
  readonly #log: Logger;
  #nextSeq = 1;

  constructor(opts: OutboxOptions) {
    this.#file = opts.file;
    this.#log = opts.log;
    if (opts.file === undefined) return;
    this.#journal = new Journal<Spooled>({
      dir: journalDir(opts.file),
      fsync: opts.fsync ?? { intervalMs: 1000 },
      maxMemory: 0,
      ...(opts.compactAfter !== undefined ? { compactAfter: opts.compactAfter } : {}),
    });
  }

  /** Load the journal (and an old spool file), open it for appending; returns what is owed. */
  open(): OutboxEntry[] {
    const journal = this.#journal;
    if (journal === undefined) return [];
    const load = journal.open();
    const bad: number[] = [];
    for (const { seq, value } of journal.read()) {
      const event = toEvent(value.e);
      if (event && typeof value.r === "string") this.#live.set(seq, { seq, room: value.r, event });
      else bad.push(seq);
    }
    journal.ack(bad); // unsendable: keeping them would only keep their segment forever
    if (load.torn.length > 0)
      this.#log.warn({ files: load.torn }, "outbox: dropped a record a crash cut short");
    if (load.unreadable.length + bad.length > 0) {
      const lines = { unreadable: load.unreadable.length, first: load.unreadable.slice(0, 5) };
      this.#log.warn({ ...lines, bad: bad.length }, "outbox: skipped unreadable records");
    }
    this.#migrate();
    this.#log[this.size > 0 ? "info" : "debug"](
      { dir: journalDir(this.#file ?? ""), owed: this.size },
      "outbox loaded",
    );
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

  /** Accept an event: journal it (when spooling) and give it a sequence number. */
  add(room: string, event: Event): OutboxEntry {
    const seq = this.#journal?.append({ r: room, e: eventJson(event) }) ?? this.#nextSeq++;
    const entry: OutboxEntry = { seq, room, event };
    this.#live.set(seq, entry);
    return entry;
  }

  /** The room reflected these: forget them. */
  ack(seqs: readonly number[]): void {
    const done = seqs.filter((seq) => this.#live.delete(seq));
    if (done.length > 0) this.#journal?.ack(done);
  }

  /** Close the journal; what is owed stays in it for the next start. */
  close(): void {
    this.#journal?.close();
  }

  /**
   * Earlier versions spooled to one file at `file`: `{"s":7,"r":room,"e":{..}}` per accepted
   * event, `{"a":[5,6,7]}` per acknowledgement. Journal what it still owes, then delete it. A
   * crash in between re-sends those events once more (at-least-once; receivers dedup by id).
   */
  #migrate(): void {
    const file = this.#file;
    if (file === undefined || !existsSync(file)) return;
    const owed = new Map<number, { r?: unknown; e?: unknown }>();
    for (const { value } of readJsonLines(file).records) {
      const rec = value as { s?: unknown; r?: unknown; e?: unknown; a?: unknown } | null;
      if (Array.isArray(rec?.a)) for (const seq of rec.a) owed.delete(seq as number);
      else if (typeof rec?.s === "number") owed.set(rec.s, rec);
    }
    let bad = 0;
    for (const rec of owed.values()) {
      const event = toEvent(rec.e);
      if (event && typeof rec.r === "string") this.add(rec.r, event);
      else bad++;
    }
    this.#journal?.sync();
    rmSync(file, { force: true });
    rmSync(`${file}.tmp`, { force: true });
    this.#log[owed.size > 0 ? "info" : "debug"](
      { file, events: owed.size - bad, bad },
      "outbox: old spool file taken over",
    );
  }
}

/** `outbox.jsonl` → `outbox.journal`, beside it. */
export function journalDir(file: string): string {
  return join(dirname(file), `${basename(file, ".jsonl")}.journal`);
}

function toEvent(json: unknown): Event | undefined {
  try {
    return Event.fromJson(json);
  } catch {
    return undefined;
  }
}

/** The event's pairs as `{key: [values]}`, unsorted (cheaper than toJSON; order is irrelevant). */
function eventJson(event: Event): Record<string, string[]> {
  // fromEntries defines own properties, so a key such as "__proto__" survives the round trip.
  return Object.fromEntries(Array.from(event.entries(), ([key, values]) => [key, [...values]]));
}
