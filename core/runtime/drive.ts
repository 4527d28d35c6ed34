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

async function pollLoop<P extends ParamSpecs>(
  def: BotDefinition<P>,
  ctx: BotContext<P>,
  counters: Counters,
): Promise<void> {
  const interval = def.interval?.(ctx.params) ?? 60_000;
  while (!ctx.signal.aborted) {
    const started = Date.now();
    try {
      const n = await emitAll(def.poll?.(ctx) ?? [], ctx);
      ctx.log.info({ events: n, ms: Date.now() - started }, "poll done");
    } catch (err) {
      counters.inc("errors");
      ctx.log.error({ err }, "poll failed; trying again next interval");
      ctx.warn(`poll failed: ${errorText(err)}`);
    }
    await sleep(interval, undefined, { signal: ctx.signal }).catch(() => undefined);
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
