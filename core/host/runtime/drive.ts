import { setTimeout as sleep } from "node:timers/promises";
import {
  Drop,
  Routed,
  RetryLater,
  type BotContext,
  type BotDefinition,
  type EventMeta,
  type Outcome,
  type Running,
} from "../../sdk/bot.js";
import { Event, type EventInit } from "../../sdk/event.js";
import { ParamError, type ParamSpecs } from "../../sdk/params.js";
import { badValues, describeBad } from "../../sdk/validate.js";
import { EventTooLargeError } from "../wire/packer.js";
import { failureFields } from "../log.js";
import { backoffDelay } from "../../sdk/backoff.js";
import type { Counters } from "./counters.js";
import type { DeadLetters, Stage } from "./dead-letters.js";

export interface Incoming {
  event: Event;
  meta: EventMeta;
}

/** What to do with a made event whose typed values are bad (see validate.ts). */
export type InvalidPolicy = "dead-letter" | "drop-value";

export interface DriveIO extends OutputIO {
  /** Events from the input rooms (handlers and sinks). */
  inputs: AsyncIterable<Incoming>;
}

/** How events leave a bot: publishing, dead letters, checkpoints. */
export interface OutputIO {
  counters: Counters;
  dead: DeadLetters;
  /** Accept an event for `room`, or for the output rooms when undefined (resolves when spooled). */
  publish(event: Event, room: string | undefined): Promise<void>;
  /** An input is finished: its outputs are accepted (the checkpoint may move past it). */
  done?(item: Incoming): void;
  invalid?: InvalidPolicy;
}

/** A mistake in the instance's config found at run time: the instance stops, no restarts. */
export function isConfigError(err: unknown): boolean {
  return err instanceof ParamError;
}

/**
 * Run a bot's main loop by its kind until ctx.signal aborts (or a source's stream ends).
 * A failure belongs to one event (dead letters); a failing poll or stream backs off and tries
 * again; a config error ends the loop by throwing.
 */
export async function drive<P extends ParamSpecs>(
  def: BotDefinition<P>,
  running: Running,
  ctx: BotContext<P>,
  io: DriveIO,
): Promise<void> {
  const out = new Outputs(ctx, io, running.consume ? "consume" : "handle");
  if (running.stream) return retryLoop(ctx, io.counters, 0, () => out.source(running.stream?.()));
  if (running.poll) {
    const interval = def.interval?.(ctx.params) ?? 60_000;
    return retryLoop(ctx, io.counters, interval, () => out.source(running.poll?.() ?? []));
  }
  const concurrency = def.concurrency?.(ctx.params) ?? 1;
  await inOrder(io.inputs, concurrency, ctx.signal, {
    run: (item) => out.run(running, item),
    finish: (item, result) => out.finish(item, result),
  });
}

type Result = { ok: true; outcome: Outcome | undefined } | { ok: false; err: unknown };

/** The runtime's side of every event: validation, publishing and dead letters. */
export class Outputs<P extends ParamSpecs> {
  constructor(
    private readonly ctx: BotContext<P>,
    private readonly io: OutputIO,
    /** Where an input's failure belongs. */
    private readonly inputStage: Stage = "handle",
  ) {}

  /** Emit what a source yields, one event at a time; returns how many went out. */
  async source(
    events: AsyncIterable<EventInit> | Iterable<EventInit> | undefined,
  ): Promise<number> {
    let n = 0;
    for await (const init of events ?? []) {
      if (this.ctx.signal.aborted) break;
      const event = this.made(init);
      if (event !== undefined && (await this.publish(event, undefined, "make"))) n += 1;
    }
    return n;
  }

  /** A made event with its typed values checked, or undefined when it went to the dead letters. */
  made(init: EventInit): Event | undefined {
    const event = toEvent(init);
    const bad = badValues(event);
    if (bad.length === 0) return event;
    this.io.counters.inc("bad values", bad.length);
    for (const b of bad) this.io.counters.inc(`bad ${b.key}`);
    if (this.io.invalid === "drop-value") {
      for (const b of bad) event.discard(b.key, b.value);
      this.ctx.log.debug({ bad }, "bad values dropped from an event");
      return event;
    }
    this.dead("make", event, `bad values: ${describeBad(bad)}`);
    return undefined;
  }

  /** Accept an event for publishing; false when it went to the dead letters instead. */
  async publish(event: Event, room: string | undefined, stage: Stage): Promise<boolean> {
    try {
      await this.io.publish(event, room);
      return true;
    } catch (err) {
      if (!(err instanceof EventTooLargeError)) throw err;
      this.dead(stage, event, err.message, room);
      return false;
    }
  }

  dead(stage: Stage, event: Event, reason: string, room?: string): void {
    const letter = this.io.dead.add(stage, event, reason, room);
    this.io.counters.inc("dead letters", 1, room);
    this.io.counters.inc("errors", 1, room);
    this.ctx.log.warn(
      { id: letter.id, stage, room, reason },
      "event set aside in the dead letters; going on",
    );
    this.ctx.warn(`${stage} failed for event ${letter.id.slice(0, 12)}: ${reason} (dead letters)`);
  }

  /** Run the bot on one input, trying again while it says RetryLater. */
  async run(running: Running, item: Incoming): Promise<Result> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (running.consume) {
          await running.consume(item.event, item.meta);
          return { ok: true, outcome: [] };
        }
        return { ok: true, outcome: await running.handle?.(item.event, item.meta) };
      } catch (err) {
        if (!(err instanceof RetryLater) || this.ctx.signal.aborted) return { ok: false, err };
        const wait = backoffDelay(attempt, { initial: 1000, max: 60_000 });
        this.io.counters.inc("retries");
        if (attempt === 0) this.ctx.warn(`${err.message}; retrying (the event waits)`);
        await sleep(wait, undefined, { signal: this.ctx.signal }).catch(() => undefined);
      }
    }
  }

  /** Publish an input's outputs (or dead-letter it), then mark it done. */
  async finish(item: Incoming, result: Result): Promise<void> {
    const { event, meta } = item;
    this.io.counters.inc("in", 1, meta.room);
    if (!result.ok) {
      // Stopping: not done, so it comes again from the archive at the next start.
      if (this.ctx.signal.aborted) return;
      if (isConfigError(result.err)) throw result.err;
      this.dead(this.inputStage, event, errorText(result.err), meta.room);
    } else if (result.outcome === undefined || result.outcome === null) {
      const why = "handle() returned nothing: return the events out, or drop()";
      this.dead("handle", event, why, meta.room);
    } else if (result.outcome instanceof Drop) {
      this.io.counters.inc("dropped");
      if (result.outcome.reason) this.io.counters.inc(`dropped: ${result.outcome.reason}`);
    } else {
      const outs = Array.isArray(result.outcome) ? result.outcome : [result.outcome];
      try {
        for (const o of outs as readonly (EventInit | Routed)[]) {
          const routed = o instanceof Routed;
          const ev = toEvent(routed ? o.event : o);
          await this.publish(ev, routed ? o.room : undefined, "publish");
        }
      } catch (err) {
        // Stopping (the publisher is closed): not done, so it comes again at the next start.
        if (this.ctx.signal.aborted) return;
        throw err;
      }
    }
    this.io.done?.(item);
  }
}

interface OrderedSteps<T, R> {
  run(item: T): Promise<R>;
  finish(item: T, result: R): Promise<void>;
}

/**
 * Up to `n` items run at once; each is finished in input order, after the ones before it.
 * With n = 1 the next item starts only once the previous one is finished.
 */
export async function inOrder<T, R>(
  items: AsyncIterable<T>,
  n: number,
  signal: AbortSignal,
  steps: OrderedSteps<T, R>,
): Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  let running = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  if (n <= 1) {
    for await (const item of items) {
      if (signal.aborted) break;
      await steps.finish(item, await steps.run(item));
    }
    return;
  }
  for await (const item of items) {
    if (signal.aborted || failure !== undefined) break;
    if (running >= n) await new Promise<void>((resolve) => (wake = resolve));
    if (failure !== undefined) break;
    running++;
    const result = steps.run(item);
    tail = tail
      .then(async () => {
        if (failure === undefined) await steps.finish(item, await result);
      })
      .catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        running--;
        const w = wake;
        wake = undefined;
        w?.();
      });
  }
  await tail;
  if (failure !== undefined) throw failure;
}

/** Longest wait between polls of a feed that keeps failing. */
const MAX_POLL_BACKOFF = 6 * 3_600_000;

/** Delay before the next poll: the interval, doubled for each failure in a row beyond the first. */
export function nextPollDelay(interval: number, failures: number): number {
  if (failures <= 1) return interval;
  return Math.min(interval * 2 ** (failures - 1), Math.max(interval, MAX_POLL_BACKOFF));
}

/**
 * Run a poll every `interval` ms, or a stream (interval 0) until it ends; a failure backs off
 * (a stream from 1 s up to a minute, a poll by doubling its interval) and tries again.
 */
async function retryLoop<P extends ParamSpecs>(
  ctx: BotContext<P>,
  counters: Counters,
  interval: number,
  once: () => Promise<number>,
): Promise<void> {
  const what = interval > 0 ? "poll" : "stream";
  let failures = 0;
  while (!ctx.signal.aborted) {
    const started = Date.now();
    try {
      const n = await once();
      if (interval > 0) ctx.log.info({ events: n, ms: Date.now() - started }, "poll done");
      if (failures > 0) ctx.warn(`recovered after ${failures} failed ${what}(s)`);
      failures = 0;
      if (interval === 0) return; // the stream ended on its own
    } catch (err) {
      if (ctx.signal.aborted) break;
      if (isConfigError(err)) throw err;
      failures += 1;
      counters.inc("errors");
      counters.inc(`failed ${what}s`);
      const wait =
        interval > 0
          ? nextPollDelay(interval, failures)
          : backoffDelay(failures - 1, { initial: 1000, max: 60_000 });
      // One line, in the log and the lobby: the stack only for a programming error.
      ctx.warn(
        `${what} failed (${failures} in a row): ${errorText(err)}; next try in ${Math.round(wait / 1000)} s`,
        { ...withoutReason(failureFields(err)), failures, nextTryMs: wait },
      );
      await sleep(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
      continue;
    }
    await sleep(interval, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Normalise what a bot gives to an Event. */
export function toEvent(init: EventInit): Event {
  return init instanceof Event ? init : new Event(init);
}

/** The message already says why: the stack (for a programming error) and code are what is left. */
function withoutReason(fields: Record<string, unknown>): Record<string, unknown> {
  const { reason: _reason, ...rest } = fields;
  return rest;
}
