/**
 * Dead letters (DESIGN.md "Delivery"): an event that is too large, that a handler throws on or
 * rejects, or whose typed values are bad is kept here with the reason, one JSON object a line,
 * in the instance's state directory. `startup.ts dead-letters` lists them; `--resend` moves
 * them to the instance's resend file, which the running instance (or its next start) takes
 * back in: handler and sink failures go to the bot again, output failures to their room.
 * Source input that never became an event (a line that does not parse) is kept as a "record"
 * letter with its text and where it was; it is listed, not resent (the source must be fixed).
 */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { RejectedRecord } from "../../sdk/bot.js";
import type { Event, EventJson } from "../../sdk/event.js";

export const DEAD_LETTERS = "dead-letters.jsonl";
export const RESEND = "resend.jsonl";

/** Where the event failed: made by a source, handled, consumed, or published to a room. */
export type Stage = "make" | "handle" | "consume" | "publish";

/** Record text kept at most (a line of megabytes is named, not copied). */
const RECORD_TEXT = 4096;

export interface DeadLetter {
  at: string;
  /** Event id (content hash). */
  id: string;
  stage: Stage;
  /** Input room (handle, consume) or output room (make, publish); absent: the output rooms. */
  room?: string;
  reason: string;
  event: EventJson;
}

/** Input that never became an event; `id` is the SHA-1 of its whole text. */
export interface RecordLetter {
  at: string;
  id: string;
  stage: "record";
  where: string;
  reason: string;
  text: string;
  /** Set when `text` was cut to RECORD_TEXT characters. */
  cut?: number;
}

export type Letter = DeadLetter | RecordLetter;

export const isRecord = (l: Letter): l is RecordLetter => l.stage === "record";

export class DeadLetters {
  readonly file: string;
  /** Ids of the record letters listed (read from the file at the first record). */
  #records: Set<string> | undefined;

  constructor(readonly dir: string) {
    this.file = join(dir, DEAD_LETTERS);
  }

  /** Keep one failed event; returns the line written (for tests and logs). */
  add(stage: Stage, event: Event, reason: string, room?: string): DeadLetter {
    const letter: DeadLetter = {
      at: new Date().toISOString(),
      id: event.id(),
      stage,
      ...(room === undefined ? {} : { room }),
      reason,
      event: event.toJSON(),
    };
    // Synchronous and rare: the letter is on disk before the event counts as dealt with.
    appendFileSync(this.file, `${JSON.stringify(letter)}\n`);
    return letter;
  }

  /**
   * Keep input that did not make an event, once: a feed re-read every hour with the same bad
   * line adds it the first time only (undefined when it is listed already).
   */
  addRecord(record: RejectedRecord): RecordLetter | undefined {
    const { where, reason, text } = record;
    const id = createHash("sha1").update(text).digest("hex");
    this.#records ??= new Set(
      readLetters(this.file)
        .filter(isRecord)
        .map((l) => l.id),
    );
    if (this.#records.has(id)) return undefined;
    this.#records.add(id);
    const letter: RecordLetter = {
      at: new Date().toISOString(),
      id,
      stage: "record",
      where,
      reason,
      text: text.length > RECORD_TEXT ? text.slice(0, RECORD_TEXT) : text,
      ...(text.length > RECORD_TEXT ? { cut: text.length } : {}),
    };
    appendFileSync(this.file, `${JSON.stringify(letter)}\n`);
    return letter;
  }

  /** Take the resend file, if any: renamed first, so a crash while taking replays it. */
  takeResends(): { letters: Letter[]; done(): void } | undefined {
    const file = join(this.dir, RESEND);
    const taking = `${file}.taking`;
    if (!existsSync(taking)) {
      if (!existsSync(file)) return undefined;
      renameSync(file, taking);
    }
    return { letters: readLetters(taking), done: () => rmSync(taking, { force: true }) };
  }
}

/** The letters of a file; torn or foreign lines are skipped. */
export function readLetters(file: string): Letter[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: Letter[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const l = JSON.parse(line) as Letter;
      if (typeof l.id !== "string" || typeof l.stage !== "string") continue;
      if (isRecord(l) ? typeof l.text === "string" : l.event !== undefined) out.push(l);
    } catch {
      // a line torn by a crash mid-write: nothing to resend
    }
  }
  return out;
}
