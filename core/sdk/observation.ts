/**
 * A source's `observation time` that survives a crash (DESIGN.md "Delivery"): a read stamps its
 * events with the time it started, kept in the instance's state until the read is complete, so
 * a read cut short by a crash is re-read with the same time and its events keep their ids (the
 * historian and other sinks then store them once).
 */
import type { BotState } from "./bot.js";
import { formatTime } from "./keys.js";

export interface Observation {
  /** `YYYY-MM-DD HH:MM:SSZ` to stamp on the read's events. */
  time: string;
  /** The read is complete (its events accepted): the next read gets a new time. */
  done(): Promise<void>;
}

/** Begin (or resume) a read named `name`; `now` for tests. */
export async function beginRead(
  state: BotState,
  name = "read-in-progress",
  now = new Date(),
): Promise<Observation> {
  const saved = await state.read<{ time?: unknown }>(name);
  const time = typeof saved?.time === "string" ? saved.time : formatTime(now);
  if (saved?.time !== time) await state.write(name, { time });
  return { time, done: () => state.remove(name) };
}
