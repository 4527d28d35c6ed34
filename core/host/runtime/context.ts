/** The context a bot instance gets: its params, log, state, timers and ways out. */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { BotContext, BotDefinition, BotState, CouchService } from "../../sdk/bot.js";
import type { Route } from "../config/types.js";
import { readJsonFile, writeJsonFile } from "../../sdk/state-file.js";
import type { Counters } from "./counters.js";
import type { DeadLetters } from "./dead-letters.js";

export interface ContextParts {
  id: string;
  def: BotDefinition;
  params: Record<string, unknown>;
  log: Logger;
  stateDir: string;
  counters: Counters;
  signal: AbortSignal;
  /** Accept an event for `room`, or for the output rooms. */
  emit(event: Parameters<BotContext["emit"]>[0], room?: string): Promise<void>;
  resolveRoom(room: string): string;
  /** Post to the lobby (rate-limited there). */
  lobbyWarn(message: string): void;
  /** Where rejected records go (default: counted only). */
  dead?: DeadLetters;
  env?: NodeJS.ProcessEnv;
  couchdb?: CouchService | undefined;
  routes?: readonly Route[];
}

/** JSON documents by name in the state dir, each written atomically. */
export function stateStore(dir: string, log: Logger): BotState {
  const fileOf = (name: string) => {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`bad state name ${name}`);
    return join(dir, `${name}.json`);
  };
  return {
    async read<T>(name: string): Promise<T | undefined> {
      const file = fileOf(name);
      try {
        return await readJsonFile<T>(file);
      } catch (err) {
        log.warn({ err, file }, "state file unreadable; starting without it");
        return undefined;
      }
    },
    write: (name, value) => writeJsonFile(fileOf(name), value),
    remove: (name) => rm(fileOf(name), { force: true }),
  };
}

/** Timers of one instance: every() runs never overlap, and all stop with the signal. */
function timers(p: ContextParts): BotContext["every"] {
  return (ms, fn, opts = {}) => {
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      try {
        await fn();
      } catch (err) {
        p.counters.inc("errors");
        p.log.error({ err }, "timer task failed; next run as planned");
      }
      if (!p.signal.aborted) timer = setTimeout(() => void tick(), ms);
    };
    timer = setTimeout(() => void tick(), opts.now ? 0 : ms);
    p.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  };
}

export function makeContext(p: ContextParts): BotContext {
  const declared = new Set(p.def.secrets?.(p.params) ?? []);
  // Params of type secret name a variable: declared by being params.
  for (const [key, spec] of Object.entries(p.def.params)) {
    const name = p.params[key];
    if (spec.type.endsWith("secret") && typeof name === "string") declared.add(name);
  }
  const needs = new Set(p.def.needs ?? []);
  const env = p.env ?? process.env;
  return {
    id: p.id,
    params: p.params,
    log: p.log,
    signal: p.signal,
    stateDir: p.stateDir,
    state: stateStore(p.stateDir, p.log),
    emit: (event, room) => p.emit(event, room),
    warn(message, fields) {
      p.log.warn(fields ?? {}, message);
      p.lobbyWarn(message);
    },
    resolveRoom: (room) => p.resolveRoom(room),
    secret(name) {
      if (!declared.has(name)) {
        throw new Error(`${p.def.name}: secret ${name} is not declared by secrets(params)`);
      }
      return env[name];
    },
    count: (name, n = 1) => p.counters.inc(name, n),
    reject(record) {
      if (p.dead?.addRecord(record)) p.counters.inc("dead letters");
    },
    every: timers(p),
    ...(needs.has("couchdb") && p.couchdb ? { couchdb: p.couchdb } : {}),
    ...(needs.has("routes") ? { routes: p.routes ?? [] } : {}),
  };
}
