/**
 * Test a bot without a mesh: params are checked like `startup.ts check` does, the context
 * collects what the bot emits, warns and counts. For unit tests of bots (real XMPP belongs
 * in test/integration).
 *
 *   const bot = await testBot(addTag, { value: "x" });
 *   expect(await bot.handle({ ip: "192.0.2.1" })).toEqual([{ ip: ["192.0.2.1"], tag: ["x"] }]);
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { BotContext, BotDefinition, CouchService, EventMeta } from "./bot.js";
import { Event, type EventInit, type EventJson } from "./event.js";
import { parseParams, type ParamSpecs } from "./params.js";

export interface BotUnderTest<P extends ParamSpecs> {
  ctx: BotContext<P>;
  /** Everything emitted so far, with the room it was emitted to (undefined: output rooms). */
  emitted: { event: Event; room: string | undefined }[];
  warnings: string[];
  counters: Map<string, number>;
  /** Run one poll of a source; returns the events it emitted, as JSON. */
  poll(): Promise<EventJson[]>;
  /** Feed one event to a handler or sink; returns what it emitted, as JSON. */
  handle(event: EventInit, meta?: Partial<EventMeta>): Promise<EventJson[]>;
  stop(): Promise<void>;
}

export interface TestBotOptions {
  stateDir?: string;
  /** Secrets the bot may ask for with ctx.secret(). */
  secrets?: Record<string, string>;
  /** The CouchDB the bot gets as ctx.couchdb. */
  couchdb?: CouchService;
  /** Resolve short room names (default `<name>@rooms.test`). */
  muc?: string;
}

export async function testBot<P extends ParamSpecs>(
  def: BotDefinition<P>,
  rawParams: Record<string, unknown> = {},
  opts: TestBotOptions = {},
): Promise<BotUnderTest<P>> {
  const { values, problems } = parseParams(def.params, rawParams);
  if (problems.length > 0) {
    throw new Error(`bad params: ${problems.map((p) => `${p.key}: ${p.message}`).join("; ")}`);
  }
  const abort = new AbortController();
  const emitted: BotUnderTest<P>["emitted"] = [];
  const warnings: string[] = [];
  const counters = new Map<string, number>();
  const muc = opts.muc ?? "rooms.test";
  const ctx: BotContext<P> = {
    id: `test-${def.name}`,
    params: values,
    log: pino({ level: process.env.LOG_LEVEL ?? "silent" }),
    signal: abort.signal,
    stateDir: opts.stateDir ?? (await mkdtemp(join(tmpdir(), `bot-${def.name}-`))),
    emit(init, room) {
      emitted.push({ event: init instanceof Event ? init : new Event(init), room });
      return Promise.resolve();
    },
    warn: (message) => void warnings.push(message),
    resolveRoom: (room) => (room.includes("@") ? room : `${room}@${muc}`),
    secret: (name) => opts.secrets?.[name],
    count: (name, n = 1) => void counters.set(name, (counters.get(name) ?? 0) + n),
    ...(opts.couchdb ? { couchdb: opts.couchdb } : {}),
  };
  await def.start?.(ctx);
  const since = (n: number) => emitted.slice(n).map((e) => e.event.toJSON());
  return {
    ctx,
    emitted,
    warnings,
    counters,
    async poll() {
      const n = emitted.length;
      if (!def.poll) throw new Error(`${def.name} has no poll()`);
      for await (const ev of def.poll(ctx)) await ctx.emit(ev);
      return since(n);
    },
    async handle(init, meta = {}) {
      const n = emitted.length;
      const event = init instanceof Event ? init : new Event(init);
      const full: EventMeta = { room: meta.room ?? `in@${muc}`, ...meta };
      if (def.consume) {
        await def.consume(event, ctx, full);
        return since(n);
      }
      const out = await def.handle?.(event, ctx, full);
      if (out) for (const ev of Array.isArray(out) ? out : [out]) await ctx.emit(ev);
      return since(n);
    },
    async stop() {
      abort.abort();
      await def.stop?.(ctx);
    },
  };
}
