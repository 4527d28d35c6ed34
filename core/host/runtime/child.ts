import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { BotDefinitionError, checkRunning, type BotContext, type Running } from "../../sdk/bot.js";
import { loadRegistry } from "../config/registry.js";
import type { MeshConfig } from "../config/types.js";
import { Event, type EventInit } from "../../sdk/event.js";
import { createLogger } from "../log.js";
import { createXmppStack, Subscriber, type XmppStack } from "../xmpp/index.js";
import { connectionFor, meshBots } from "./connect.js";
import { Counters } from "./counters.js";
import { drive, isConfigError, toEvent, type Incoming } from "./drive.js";
import { makeContext } from "./context.js";
import { DeadLetters, isRecord } from "./dead-letters.js";
import { couchService } from "../storage/couch-config.js";
import { CatchUp, Checkpoints } from "./catchup.js";
import { attachLobby } from "./lobby-link.js";
import { createLobbyStack } from "./lobby-stack.js";
import { projectRoot } from "./paths.js";
import { AsyncQueue } from "./queue.js";
import { EXIT_CONFIG } from "../supervisor/supervisor.js";

export { EXIT_CONFIG };

/**
 * Run one bot instance in this process until SIGTERM/SIGINT: connect, join the lobby and the
 * instance's rooms, run the bot, then drain the outbox and disconnect. Returns the exit code.
 */
export async function runInstance(config: MeshConfig, id: string): Promise<number> {
  const inst = config.instances.find((i) => i.id === id);
  const root = createLogger({ name: id });
  if (inst === undefined) {
    root.error({ instance: id }, "no such instance in the config");
    return EXIT_CONFIG;
  }
  const log = root.child({ bot: inst.bot, instance: id });
  const registry = await loadRegistry(projectRoot());
  const def = registry.get(inst.bot)?.def;
  if (def === undefined) {
    log.error({ bot: inst.bot }, "bot not found in bots/ or bots/contrib/");
    return EXIT_CONFIG;
  }
  // The config loader already checked and parsed the params against the bot's specs.
  const values = inst.params;

  const stateDir = join(config.stateDir, "bots", id);
  await mkdir(stateDir, { recursive: true });
  const login = await connectionFor(config, inst);
  const dead = new DeadLetters(stateDir);
  const counters = new Counters();
  const stack = createXmppStack({
    login: login.login,
    log: log.child({ part: "xmpp" }),
    mucService: login.muc,
    nick: id,
    status: "starting",
    publisher: {
      rooms: config.roomgraph.rooms,
      defaultForm: config.defaultRoom.form,
      budgetBytes: config.messageBytes,
      spoolFile: join(stateDir, "outbox.jsonl"),
      onDead(event, room, reason) {
        const letter = dead.add("publish", event, reason, room);
        counters.inc("dead letters", 1, room);
        log.warn({ id: letter.id, room, reason }, "event set aside in the dead letters");
      },
    },
  });
  const lobbyStack = createLobbyStack(stack, login.login, {
    log: log.child({ part: "xmpp" }),
    mucService: login.muc,
    nick: id,
    status: "starting",
  });
  const abort = new AbortController();
  const inputs = new AsyncQueue<Incoming>();
  let state = "starting";

  const holder: { running?: Running; subscriber?: Subscriber } = {};
  const lobby = attachLobby({
    stack,
    lobbyStack,
    bots: await meshBots(config),
    mucService: login.muc,
    config,
    inst,
    def,
    counters,
    log,
    state: () => state,
    queueDepth: () => inputs.depth,
    running: () => holder.running,
    roomExtras: () => {
      const out: Record<string, Record<string, number>> = {};
      for (const [room, c] of Object.entries(holder.subscriber?.counters() ?? {})) {
        out[room] = { malformed: c.malformed };
      }
      return out;
    },
  });
  const needsCouch = def.needs?.includes("couchdb") === true;
  const couchdb = needsCouch ? await couchService(config.stateDir) : undefined;
  const checkpoints =
    inst.catchUp > 0 ? new Checkpoints(join(stateDir, "checkpoints.json"), log) : undefined;
  await checkpoints?.load();
  const catchUp = checkpoints
    ? new CatchUp({
        stack,
        checkpoints,
        log,
        maxAgeMs: inst.catchUp,
        nick: id,
        push: (item) => inputs.push(item),
        room: () => inputs.whenBelow(20_000),
        warn: lobby.warn,
      })
    : undefined;
  const publish = async (init: EventInit, room: string | undefined) => {
    const event = toEvent(init);
    for (const target of room === undefined ? inst.out : [room]) {
      await stack.publisher.publish(target, event);
      counters.inc("out", 1, stack.muc.resolve(target));
    }
  };
  const ctx = makeContext({
    dead,
    id,
    def,
    params: values,
    log,
    stateDir,
    counters,
    signal: abort.signal,
    emit: publish,
    resolveRoom: (room) => stack.muc.resolve(room),
    lobbyWarn: lobby.warn,
    couchdb,
    routes: config.roomgraph.routes,
  });
  const subscriber = new Subscriber({
    muc: stack.muc,
    log,
    skipOwn: true,
    onEvents: (events, m) => {
      if (catchUp) return catchUp.live(m.room, events, m.stanza);
      for (const event of events) inputs.push({ event, meta: { room: m.room } });
    },
  });

  holder.subscriber = subscriber;
  const stop = (why: string) => {
    if (abort.signal.aborted) return;
    log.info({ why }, "stopping");
    abort.abort();
    inputs.close();
    if (state === "starting") {
      // Not connected yet (the server may be gone): nothing to drain, just leave.
      void Promise.all([stack.stop(), lobbyStack.stop()]).finally(() => process.exit(0));
    }
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  // The supervisor holds an IPC channel open; when it dies, so do we (no orphans).
  process.once("disconnect", () => stop("supervisor gone"));
  // It may have died while this process was still loading: the event came before we listened.
  if (process.send !== undefined && !process.connected) stop("supervisor gone");

  // The lobby's own stream first: operators see the bot (starting) while its rooms fill.
  await Promise.all([stack.start(), lobbyStack.start()]);
  await lobby.join();
  for (const room of inst.out) await stack.muc.join(room);
  let running: Running;
  try {
    running = await def.start(ctx);
    checkRunning(def, running);
  } catch (err) {
    await Promise.all([stack.stop(), lobbyStack.stop()]);
    if (isConfigError(err) || err instanceof BotDefinitionError) {
      log.error({ err: { message: (err as Error).message } }, "config error; not restarting");
      return EXIT_CONFIG;
    }
    throw err;
  }
  holder.running = running;
  lobby.addCommands(running);
  for (const room of inst.in) await catchUp?.watch(stack.muc.resolve(room));
  for (const room of inst.in) await subscriber.subscribe(room);
  state = "running";
  await lobby.setStatus(`running (${inst.bot})`);
  log.info({ in: inst.in, out: inst.out }, "running");
  // Dead letters given back: the resend file goes only once every one is handled again.
  const resends: Resends = { pending: new Set(), done: undefined };
  const finished = (item: Incoming) => {
    catchUp?.done(item);
    if (resends.pending.delete(item) && resends.pending.size === 0) {
      resends.done?.();
      resends.done = undefined;
    }
  };
  ctx.every(2000, () => takeResends(dead, inputs, publish, resends, log), { now: true });

  let code = 0;
  try {
    await drive(def, running, ctx, {
      inputs,
      counters,
      dead,
      publish,
      done: finished,
      invalid: inst.invalid,
    });
    if (!abort.signal.aborted && def.kind === "source") {
      // A stream that ended on its own: keep the process (and its lobby presence) until stopped.
      state = "idle (stream ended)";
      await lobby.setStatus(state);
      await new Promise((resolve) =>
        abort.signal.addEventListener("abort", resolve, { once: true }),
      );
    }
  } catch (err) {
    if (!isConfigError(err)) throw err;
    log.error({ err: { message: (err as Error).message } }, "config error; not restarting");
    code = EXIT_CONFIG;
    abort.abort();
  } finally {
    state = "stopping";
    await running.stop?.();
    await checkpoints?.save();
    await drainOutbox(stack, log);
    log.info({ counters: counters.snapshot().totals }, "stopped");
    await Promise.all([stack.stop(), lobbyStack.stop()]);
  }
  return code;
}

interface Resends {
  /** Resent inputs not handled yet. */
  pending: Set<Incoming>;
  /** Removes the resend file, once `pending` is empty. */
  done: (() => void) | undefined;
}

/**
 * Dead letters sent back by `startup.ts dead-letters --resend`: inputs again, or outputs. The
 * resend file stays until all of them are handled or accepted, so a crash meanwhile replays it.
 */
async function takeResends(
  dead: DeadLetters,
  inputs: AsyncQueue<Incoming>,
  publish: (event: EventInit, room: string | undefined) => Promise<void>,
  resends: Resends,
  log: BotContext["log"],
): Promise<void> {
  if (resends.pending.size > 0) return; // the last batch is still being handled
  const taken = dead.takeResends();
  if (taken === undefined) return;
  const again: Incoming[] = [];
  for (const l of taken.letters) {
    if (isRecord(l)) continue; // the CLI keeps them listed; never resent
    const event = Event.fromJson(l.event);
    if ((l.stage === "handle" || l.stage === "consume") && l.room !== undefined) {
      again.push({ event, meta: { room: l.room } });
    } else await publish(event, l.room);
  }
  log.info({ events: taken.letters.length }, "dead letters taken back");
  if (again.length === 0) return taken.done();
  for (const item of again) resends.pending.add(item);
  resends.done = () => taken.done();
  for (const item of again) inputs.push(item);
}

async function drainOutbox(stack: XmppStack, log: BotContext["log"]): Promise<void> {
  stack.publisher.flush();
  const timeout = new Promise<"timeout">((resolve) =>
    setTimeout(() => resolve("timeout"), 5000).unref(),
  );
  if ((await Promise.race([stack.publisher.drain(), timeout])) === "timeout") {
    log.warn("outbox not drained within 5 s; the rest stays spooled for the next start");
  }
}
