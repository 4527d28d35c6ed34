import { setTimeout as sleep } from "node:timers/promises";
import type { BotContext, BotDefinition, EventMeta } from "../bot.js";
import { Event, type EventInit } from "../event.js";
import type { ParamSpecs } from "../params.js";
import type { Counters } from "./counters.js";

export interface Incoming {
  event: Event;
  meta: EventMeta;
}

export interface DriveIO {
  /** Events from the input rooms (handlers and sinks). */
  inputs: AsyncIterable<Incoming>;
  counters: Counters;
}

/**
 * Run a bot's main loop by its kind until ctx.signal aborts (or a source's stream ends).
 * A failing poll, handle or consume is logged, counted and reported; the loop goes on.
 */
export async function drive<P extends ParamSpecs>(
  def: BotDefinition<P>,
  ctx: BotContext<P>,
  io: DriveIO,
): Promise<void> {
  if (def.stream) {
    await emitAll(def.stream(ctx), ctx);
    return;
  }
  if (def.poll) return pollLoop(def, ctx, io.counters);
  if (!def.handle && !def.consume) return;
  for await (const { event, meta } of io.inputs) {
    if (ctx.signal.aborted) break;
    io.counters.inc("in", 1, meta.room);
    try {
      if (def.consume) {
        await def.consume(event, ctx, meta);
        continue;
      }
      const out = await def.handle?.(event, ctx, meta);
      if (out) for (const ev of Array.isArray(out) ? out : [out]) await ctx.emit(ev);
    } catch (err) {
      io.counters.inc("errors", 1, meta.room);
      ctx.log.error({ err, event: event.toJSON(), room: meta.room }, "event failed; going on");
      ctx.warn(`failed on an event from ${meta.room}: ${errorText(err)}`);
    }
  }
}

/** Longest wait between polls of a feed that keeps failing. */
const MAX_POLL_BACKOFF = 6 * 3_600_000;

/** Delay before the next poll: the interval, doubled for each failure in a row beyond the first. */
export function nextPollDelay(interval: number, failures: number): number {
  if (failures <= 1) return interval;
  return Math.min(interval * 2 ** (failures - 1), Math.max(interval, MAX_POLL_BACKOFF));
}

async function pollLoop<P extends ParamSpecs>(
  def: BotDefinition<P>,
  ctx: BotContext<P>,
  counters: Counters,
): Promise<void> {
  const interval = def.interval?.(ctx.params) ?? 60_000;
  let failures = 0;
  while (!ctx.signal.aborted) {
    const started = Date.now();
    try {
      const n = await emitAll(def.poll?.(ctx) ?? [], ctx);
      ctx.log.info({ events: n, ms: Date.now() - started }, "poll done");
      if (failures > 0) ctx.warn(`recovered after ${failures} failed poll(s)`);
      failures = 0;
    } catch (err) {
      if (ctx.signal.aborted) break;
      failures += 1;
      counters.inc("errors");
      counters.inc("failed polls");
      const wait = nextPollDelay(interval, failures);
      ctx.log.error({ err, failures, nextPollMs: wait }, "poll failed");
      // The lobby hears about every failure while it is new, then on each backoff step.
      ctx.warn(
        `poll failed (${failures} in a row): ${errorText(err)}; next try in ${Math.round(wait / 1000)} s`,
      );
    }
    const wait = failures === 0 ? interval : nextPollDelay(interval, failures);
    await sleep(wait, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

async function emitAll<P extends ParamSpecs>(
  events: AsyncIterable<EventInit> | Iterable<EventInit>,
  ctx: BotContext<P>,
): Promise<number> {
  let n = 0;
  for await (const ev of events) {
    if (ctx.signal.aborted) break;
    await ctx.emit(ev);
    n += 1;
  }
  return n;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Normalise what a bot gives to an Event. */
export function toEvent(init: EventInit): Event {
  return init instanceof Event ? init : new Event(init);
}
