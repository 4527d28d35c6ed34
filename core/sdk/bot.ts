import type { Logger } from "pino";
import type { Event, EventInit } from "./event.js";
import type { ParamSpecs, ParamValues } from "./params.js";
import type { Rule } from "./rules/index.js";

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

/** Durable instance state: small JSON documents by name, written atomically (never half-written). */
export interface BotState {
  /** The stored value, or undefined when there is none (or it was unreadable: logged). */
  read<T>(name: string): Promise<T | undefined>;
  write(name: string, value: unknown): Promise<void>;
  remove(name: string): Promise<void>;
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
  /** Durable JSON state in the state directory. */
  readonly state: BotState;
  /**
   * Publish an event to the instance's output rooms (or to `room`). Resolves once accepted
   * (spooled); waits while the in-flight window is full (back-pressure). Handlers return their
   * events instead; this is for sources' side channels and bots that route.
   */
  emit(event: EventInit, room?: string): Promise<void>;
  /** Post a warning to the lobby (rate-limited) and the log. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Full JID of a room given by short name (`raw` → `raw@rooms.example.org`) or JID. */
  resolveRoom(room: string): string;
  /**
   * A secret the bot declared (`secrets(params)`), from the environment; never log the value.
   * Asking for an undeclared name throws.
   */
  secret(name: string): string | undefined;
  /** Add to a named counter shown by `!status`. */
  count(name: string, n?: number): void;
  /**
   * Keep input that never became an event (a line that does not parse, a mail no handler
   * reads) in the instance's dead letters, with where it was and why: `startup.ts dead-letters`
   * lists it. Counted; the caller logs it (once).
   */
  reject(record: RejectedRecord): void;
  /**
   * Run `fn` every `ms` until the bot stops; runs never overlap, a failure is logged and
   * counted and the next run comes as planned.
   */
  every(ms: number, fn: () => Promise<void> | void, opts?: { now?: boolean }): void;
  /** The mesh's CouchDB, for bots that declare `needs: ["couchdb"]`. */
  readonly couchdb?: CouchService;
  /** The routes of rooms.yaml, for bots that declare `needs: ["routes"]`. */
  readonly routes?: readonly Route[];
}

/** Source input that did not make an event, for the dead letters. */
export interface RejectedRecord {
  /** Where it was, in words: `feed x: data.csv line 3`. */
  where: string;
  /** The input as read (cut to 4 KiB in the dead letters). */
  text: string;
  reason: string;
}

/** A chat command a bot adds beside !help, !status and !ping. */
export interface BotCommand {
  help: string;
  usage?: string;
  run(args: string, from: { jid: string; room?: string }): Promise<string> | string;
}

/** A handler's "nothing goes out for this event", said on purpose. */
export class Drop {
  constructor(readonly reason: string | undefined) {}
}

/** An event for one room rather than the instance's output rooms. */
export class Routed {
  constructor(
    readonly room: string,
    readonly event: EventInit,
  ) {}
}

/** Return from handle() when no event goes out; the reason (if any) is counted. */
export function drop(reason?: string): Drop {
  return new Drop(reason);
}

/** Return from handle() to send an event to `room` instead of the output rooms. */
export function to(room: string, event: EventInit): Routed {
  return new Routed(room, event);
}

export type Output = EventInit | Routed;
/** What a handler gives for an event: events out, or an explicit drop. Never nothing. */
export type Outcome = Output | readonly Output[] | Drop;

/** What `start(ctx)` returns: the running instance's hooks, closing over its state. */
export interface Running {
  /** Sources: yield the events of one poll (every `interval(params)`). */
  poll?(): AsyncIterable<EventInit> | Iterable<EventInit>;
  /** Sources: yield events until ctx.signal aborts. */
  stream?(): AsyncIterable<EventInit>;
  /** Handlers: the events out for an event in. Throwing puts the event in the dead letters. */
  handle?(event: Event, meta: EventMeta): Promise<Outcome> | Outcome;
  /** Sinks: take an event; it counts as delivered (the checkpoint moves) once this resolves. */
  consume?(event: Event, meta: EventMeta): Promise<void> | void;
  /** Called once on shutdown, after events stop flowing. */
  stop?(): Promise<void> | void;
  commands?: Record<string, BotCommand>;
}

/** What a bot may ask of the host beside the common context. */
export type Capability = "couchdb" | "routes";

/** A cross-parameter mistake found by `check(params)`: the key (if one) and what is wrong. */
export interface CheckProblem {
  key?: string;
  message: string;
}

/**
 * Run a check that throws (a ParamError, a mapping error...) and give what it threw as
 * problems, for `check(params)` hooks that reuse the code start() runs.
 */
export function problemsOf(fn: () => unknown): CheckProblem[] {
  try {
    fn();
    return [];
  } catch (err) {
    return [{ message: err instanceof Error ? err.message : String(err) }];
  }
}

export interface BotDefinition<P extends ParamSpecs = ParamSpecs> {
  /** Name used in config (`bot: NAME`), kebab-case. */
  name: string;
  kind: BotKind;
  /** One sentence a user reads in `startup.ts check` and the README. */
  description: string;
  params: P;
  /** Host services the bot needs (the embedded CouchDB starts only when some bot needs it). */
  needs?: readonly Capability[];
  /** Environment variables the instance may read with ctx.secret (names usually from params). */
  secrets?(params: ParamValues<P>): readonly string[];
  /** JIDs beside the admins who may use the bot's commands (e.g. from an `allowed` param). */
  askers?(params: ParamValues<P>): readonly string[];
  /**
   * Cross-parameter mistakes, found before anything starts (`startup.ts check`): pure, no I/O
   * beyond looking at named files.
   */
  check?(params: ParamValues<P>): readonly CheckProblem[];
  /** Sources with poll(): time between polls, in ms. */
  interval?(params: ParamValues<P>): number;
  /** Handlers: events handled at once (I/O-bound lookups); outputs keep input order. */
  concurrency?(params: ParamValues<P>): number;
  /** Called once after connecting, before events flow; returns the instance's hooks. */
  start(ctx: BotContext<P>): Promise<Running> | Running;
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
  if (typeof def.start !== "function") throw new BotDefinitionError(`${where}: needs start(ctx)`);
  return def;
}

/** The hooks a kind needs, checked on what start() returned. */
export function checkRunning(def: BotDefinition, running: Running): void {
  const where = `bot ${JSON.stringify(def.name)}`;
  const has = {
    source: running.poll !== undefined || running.stream !== undefined,
    handler: running.handle !== undefined,
    sink: running.consume !== undefined,
  };
  if (!has[def.kind]) {
    const need = { source: "poll() or stream()", handler: "handle()", sink: "consume()" }[def.kind];
    throw new BotDefinitionError(`${where}: start() of a ${def.kind} must return ${need}`);
  }
  if (running.poll !== undefined && def.interval === undefined) {
    throw new BotDefinitionError(`${where}: poll() needs interval(params)`);
  }
}

/** One route of the roomgraph (rooms.yaml `routes`), as bots that need "routes" see it. */
export interface Route {
  from: string;
  to: string;
  /** Rule text as written (undefined: route every event). */
  ruleText?: string;
  rule?: Rule;
  /** Where it was declared, for messages: `rooms.yaml routes[3]`. */
  where: string;
}

/** A handler's way to say "not now": the same event is tried again after a backoff. */
export class RetryLater extends Error {
  override name = "RetryLater";
}
