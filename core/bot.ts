import type { Logger } from "pino";
import type { Event, EventInit } from "./event.js";
import type { ParamSpecs, ParamValues } from "./params.js";

export type BotKind = "source" | "handler" | "sink";

/** Where an incoming event came from. */
export interface EventMeta {
  /** Bare JID of the room the event arrived in. */
  room: string;
  /** MAM archive id of the message, when the server gave one (XEP-0359 stanza-id). */
  archiveId?: string;
}

/** A CouchDB server core configured for the bots (COUCHDB_URL or the embedded one). */
export interface CouchService {
  /** Without credentials: safe to log. */
  url: string;
  username?: string;
  /** Never log it. */
  password?: string;
}

/** What a running bot gets from core. Bots never touch XMPP, sockets or process.env. */
export interface BotContext<P extends ParamSpecs = ParamSpecs> {
  /** Instance id from the mesh config. */
  readonly id: string;
  readonly params: ParamValues<P>;
  readonly log: Logger;
  /** Aborted when the bot must stop. */
  readonly signal: AbortSignal;
  /** A directory that survives restarts, private to this instance. */
  readonly stateDir: string;
  /**
   * Publish an event to the instance's output rooms (or to `room`). Resolves once accepted;
   * waits while the in-flight window is full (back-pressure).
   */
  emit(event: EventInit, room?: string): Promise<void>;
  /** Post a warning to the lobby (rate-limited) and the log. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Full JID of a room given by short name (`raw` → `raw@rooms.example.org`) or JID. */
  resolveRoom(room: string): string;
  /**
   * A secret from the environment (an API key named by a param or preset). Core reads the
   * environment so bots never do; never log the value.
   */
  secret(name: string): string | undefined;
  /** Add to a named counter shown by `!status`. */
  count(name: string, n?: number): void;
  /** The mesh's CouchDB (historian storage), when there is one. */
  readonly couchdb?: CouchService;
}

/** A chat command a bot adds beside !help, !status and !ping. */
export interface BotCommand<P extends ParamSpecs> {
  help: string;
  usage?: string;
  run(
    args: string,
    ctx: BotContext<P>,
    from: { jid: string; room?: string },
  ): Promise<string> | string;
}

type Emitted = EventInit | EventInit[] | undefined | void;

export interface BotDefinition<P extends ParamSpecs = ParamSpecs> {
  /** Name used in config (`bot: NAME`), kebab-case. */
  name: string;
  kind: BotKind;
  /** One sentence a user reads in `startup.ts check` and the README. */
  description: string;
  params: P;
  /** Called once after connecting, before events flow. */
  start?(ctx: BotContext<P>): Promise<void> | void;
  /** Called once on shutdown, after events stop flowing. */
  stop?(ctx: BotContext<P>): Promise<void> | void;
  /** Sources: how often to call poll(), in ms, from the params. */
  interval?(params: ParamValues<P>): number;
  /** Sources: yield the events of one poll. */
  poll?(ctx: BotContext<P>): AsyncIterable<EventInit> | Iterable<EventInit>;
  /** Sources: yield events until ctx.signal aborts. */
  stream?(ctx: BotContext<P>): AsyncIterable<EventInit>;
  /** Handlers: events out for an event in (to the output rooms); may also call ctx.emit. */
  handle?(event: Event, ctx: BotContext<P>, meta: EventMeta): Promise<Emitted> | Emitted;
  /** Sinks: take an event; the runtime counts it delivered once this resolves. */
  consume?(event: Event, ctx: BotContext<P>, meta: EventMeta): Promise<void> | void;
  commands?: Record<string, BotCommand<P>>;
}

export class BotDefinitionError extends Error {
  override name = "BotDefinitionError";
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Declare a bot. Checks the definition at once so a broken bot fails at load, not at run. */
export function defineBot<P extends ParamSpecs>(def: BotDefinition<P>): BotDefinition<P> {
  const where = `bot ${JSON.stringify(def.name)}`;
  if (!NAME.test(def.name)) throw new BotDefinitionError(`${where}: name must be kebab-case`);
  if (!def.description) throw new BotDefinitionError(`${where}: needs a description`);
  const hooks = {
    source: def.poll !== undefined || def.stream !== undefined,
    handler: def.handle !== undefined,
    sink: def.consume !== undefined,
  };
  if (!hooks[def.kind]) {
    const need = { source: "poll() or stream()", handler: "handle()", sink: "consume()" }[def.kind];
    throw new BotDefinitionError(`${where}: a ${def.kind} needs ${need}`);
  }
  if (def.poll !== undefined && def.interval === undefined) {
    throw new BotDefinitionError(`${where}: poll() needs interval(params)`);
  }
  return def;
}
