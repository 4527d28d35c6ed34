/**
 * Test a bot without a mesh: params are checked like `startup.ts check` does (with the bot's
 * own check()), and events go through the runtime's own path (validation, outcomes, dead
 * letters) into lists the test reads. For unit tests of bots; real XMPP is in test/integration.
 *
 *   const bot = await testBot(addTag, { value: "x" });
 *   expect(await bot.handle({ ip: "192.0.2.1" })).toEqual([{ ip: ["192.0.2.1"], tag: ["x"] }]);
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import {
  checkRunning,
  type BotContext,
  type BotDefinition,
  type CouchService,
  type EventMeta,
  type Running,
} from "./sdk/bot.js";
import type { Route } from "./host/config/types.js";
import { Event, type EventInit, type EventJson } from "./sdk/event.js";
import { parseParams, type ParamSpecs } from "./sdk/params.js";
import { makeContext } from "./host/runtime/context.js";
import { Counters } from "./host/runtime/counters.js";
import { DeadLetters, readLetters, type Letter } from "./host/runtime/dead-letters.js";
import { Outputs, toEvent, type InvalidPolicy } from "./host/runtime/drive.js";

export interface BotUnderTest<P extends ParamSpecs> {
  ctx: BotContext<P>;
  running: Running;
  /** Everything emitted so far, with the room it was emitted to (undefined: output rooms). */
  emitted: { event: Event; room: string | undefined }[];
  warnings: string[];
  counters: Map<string, number>;
  /** What went to the dead letters so far. */
  deadLetters(): Letter[];
  /** Run one poll of a source (or a stream to its end); returns the events it emitted. */
  poll(): Promise<EventJson[]>;
  /** Feed one event to a handler or sink; returns what it emitted, as JSON. */
  handle(event: EventInit, meta?: Partial<EventMeta>): Promise<EventJson[]>;
  /** Ask one of the bot's chat commands, as `from` (default an admin). */
  ask(command: string, args?: string, from?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface TestBotOptions {
  stateDir?: string;
  /** Environment the bot's declared secrets come from. */
  secrets?: Record<string, string>;
  /** The CouchDB the bot gets as ctx.couchdb (when it declares needs: couchdb). */
  couchdb?: CouchService;
  routes?: Route[];
  /** Resolve short room names (default `<name>@rooms.test`). */
  muc?: string;
  invalid?: InvalidPolicy;
  /** Publishing fails for an event (e.g. throw EventTooLargeError to test the budget). */
  refuse?: (event: Event, room: string | undefined) => void;
}

export async function testBot<P extends ParamSpecs>(
  def: BotDefinition<P>,
  rawParams: Record<string, unknown> = {},
  opts: TestBotOptions = {},
): Promise<BotUnderTest<P>> {
  const { values, problems } = parseParams(def.params, rawParams);
  const all = problems.length > 0 ? problems : (def.check?.(values) ?? []);
  if (all.length > 0) {
    throw new Error(`bad params: ${all.map((p) => `${p.key ?? ""}: ${p.message}`).join("; ")}`);
  }
  const abort = new AbortController();
  const emitted: BotUnderTest<P>["emitted"] = [];
  const warnings: string[] = [];
  const counters = new Counters();
  const muc = opts.muc ?? "rooms.test";
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), `bot-${def.name}-`)));
  const log = pino({ level: process.env.LOG_LEVEL ?? "silent" });
  const publish = (init: EventInit, room: string | undefined): Promise<void> => {
    const event = toEvent(init);
    opts.refuse?.(event, room);
    emitted.push({ event, room });
    return Promise.resolve();
  };
  const dead = new DeadLetters(stateDir);
  const ctx = makeContext({
    dead,
    id: `test-${def.name}`,
    def,
    params: values,
    log,
    stateDir,
    counters,
    signal: abort.signal,
    emit: publish,
    resolveRoom: (room) => (room.includes("@") ? room : `${room}@${muc}`),
    lobbyWarn: (message) => void warnings.push(message),
    env: opts.secrets ?? {},
    couchdb: opts.couchdb,
    routes: opts.routes ?? [],
  }) as BotContext<P>;
  const running = await def.start(ctx);
  checkRunning(def, running);
  const out = new Outputs(
    ctx,
    { counters, dead, publish, invalid: opts.invalid ?? "dead-letter" },
    running.consume ? "consume" : "handle",
  );
  const since = (n: number) => emitted.slice(n).map((e) => e.event.toJSON());
  const counterMap = new Map<string, number>();
  const sync = () => {
    counterMap.clear();
    for (const [k, v] of Object.entries(counters.snapshot().totals)) counterMap.set(k, v);
  };
  return {
    ctx,
    running,
    emitted,
    warnings,
    get counters() {
      sync();
      return counterMap;
    },
    deadLetters: () => readLetters(dead.file),
    async poll() {
      const n = emitted.length;
      const events = running.poll ? running.poll() : running.stream?.();
      if (!events) throw new Error(`${def.name} has no poll() or stream()`);
      await out.source(events);
      return since(n);
    },
    async handle(init, meta = {}) {
      const n = emitted.length;
      const event = toEvent(init);
      const item = { event, meta: { room: meta.room ?? `in@${muc}`, ...meta } };
      await out.finish(item, await out.run(running, item));
      return since(n);
    },
    async ask(command, args = "", from = "admin@example.test") {
      const cmd = running.commands?.[command];
      if (!cmd) throw new Error(`${def.name} has no command ${command}`);
      return cmd.run(args, { jid: from });
    },
    async stop() {
      abort.abort();
      await running.stop?.();
    },
  };
}
