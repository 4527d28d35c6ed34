/**
 * Dead letters (DESIGN.md "Delivery"): an event that is too large, that a handler throws on or
 * rejects, or whose typed values are bad is kept here with the reason, one JSON object a line,
 * in the instance's state directory. `startup.ts dead-letters` lists them; `--resend` moves
 * them to the instance's resend file, which the running instance (or its next start) takes
 * back in: handler and sink failures go to the bot again, output failures to their room.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Event, EventJson } from "../../sdk/event.js";

export const DEAD_LETTERS = "dead-letters.jsonl";
export const RESEND = "resend.jsonl";

/** Where the event failed: made by a source, handled, consumed, or published to a room. */
export type Stage = "make" | "handle" | "consume" | "publish";

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

export class DeadLetters {
  readonly file: string;

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

  /** Take the resend file, if any: renamed first, so a crash while taking replays it. */
  takeResends(): { letters: DeadLetter[]; done(): void } | undefined {
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
export function readLetters(file: string): DeadLetter[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: DeadLetter[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const l = JSON.parse(line) as DeadLetter;
      if (typeof l.id === "string" && typeof l.stage === "string" && l.event) out.push(l);
    } catch {
      // a line torn by a crash mid-write: nothing to resend
    }
  }
  return out;
}
