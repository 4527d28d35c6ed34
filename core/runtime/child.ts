import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { BotContext, BotDefinition, CouchService } from "../bot.js";
import { loadRegistry } from "../config/registry.js";
import type { InstanceConfig, MeshConfig } from "../config/types.js";
import { Event } from "../event.js";
import { createLogger } from "../log.js";
import { createXmppStack, Subscriber, type XmppStack } from "../xmpp/index.js";
import { connectionFor } from "./connect.js";
import { Counters } from "./counters.js";
import { drive, toEvent, type Incoming } from "./drive.js";
import { couchService } from "../storage/couch-config.js";
import { CatchUp, Checkpoints, trackHandled } from "./catchup.js";
import { attachLobby } from "./lobby-link.js";
import { projectRoot } from "./paths.js";
import { AsyncQueue } from "./queue.js";

/** Exit codes a supervisor can tell apart: config problems are not worth fast restarts. */
export const EXIT_CONFIG = 78;

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
  const stack = createXmppStack({
    login: login.login,
    log: log.child({ part: "xmpp" }),
    mucService: login.muc,
    nick: id,
    status: "starting",
    publisher: {
      rooms: config.roomgraph.rooms,
      defaultForm: config.defaultRoom.form,
      spoolFile: join(stateDir, "outbox.jsonl"),
    },
  });
  const counters = new Counters();
  const abort = new AbortController();
  const inputs = new AsyncQueue<Incoming>();
  let state = "starting";

  const holder: { ctx?: BotContext; subscriber?: Subscriber } = {};
  const lobby = attachLobby({
    stack,
    config,
    inst,
    def,
    counters,
    log,
    state: () => state,
    queueDepth: () => inputs.depth,
    context: () => (state === "starting" ? undefined : holder.ctx),
    roomExtras: () => {
      const out: Record<string, Record<string, number>> = {};
      for (const [room, c] of Object.entries(holder.subscriber?.counters() ?? {})) {
        out[room] = { malformed: c.malformed };
      }
      return out;
    },
  });
  const couchdb = await couchService(config.stateDir);
  const checkpoints = inst.catchUp
    ? new Checkpoints(join(stateDir, "checkpoints.json"), log)
    : undefined;
  await checkpoints?.load();
  const catchUp = checkpoints
    ? new CatchUp({ stack, checkpoints, log, push: (item) => inputs.push(item) })
    : undefined;
  const ctx = makeContext({
    couchdb,
    inst,
    def,
    values,
    log,
    stateDir,
    stack,
    counters,
    signal: abort.signal,
    warn: lobby.warn,
  });
  holder.ctx = ctx;
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
      void stack.stop().finally(() => process.exit(0));
    }
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  // The supervisor holds an IPC channel open; when it dies, so do we (no orphans).
  process.once("disconnect", () => stop("supervisor gone"));

  await stack.start();
  await lobby.join();
  for (const room of inst.out) await stack.muc.join(room);
  for (const room of inst.in) await catchUp?.watch(stack.muc.resolve(room));
  for (const room of inst.in) await subscriber.subscribe(room);
  await def.start?.(ctx);
  state = "running";
  await stack.muc.setStatus(`running (${inst.bot})`);
  log.info({ in: inst.in, out: inst.out }, "running");

  try {
    const handled = catchUp ? trackHandled(inputs, (item) => catchUp.done(item)) : inputs;
    await drive(def, ctx, { inputs: handled, counters });
    if (!abort.signal.aborted && def.kind === "source") {
      // A stream that ended on its own: keep the process (and its lobby presence) until stopped.
      state = "idle (stream ended)";
      await stack.muc.setStatus(state);
      await new Promise((resolve) =>
        abort.signal.addEventListener("abort", resolve, { once: true }),
      );
    }
  } finally {
    state = "stopping";
    await def.stop?.(ctx);
    await checkpoints?.save();
    await drainOutbox(stack, log);
    log.info({ counters: counters.snapshot().totals }, "stopped");
    await stack.stop();
  }
  return 0;
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

interface ContextParts {
  inst: InstanceConfig;
  def: BotDefinition;
  values: Record<string, unknown>;
  log: BotContext["log"];
  stateDir: string;
  stack: XmppStack;
  counters: Counters;
  signal: AbortSignal;
  warn: (message: string) => void;
  couchdb: CouchService | undefined;
}

function makeContext(p: ContextParts): BotContext {
  const outRooms = p.inst.out;
  return {
    id: p.inst.id,
    params: p.values,
    log: p.log,
    signal: p.signal,
    stateDir: p.stateDir,
    async emit(init, room) {
      const event: Event = toEvent(init);
      const targets = room === undefined ? outRooms : [room];
      for (const target of targets) {
        await p.stack.publisher.publish(target, event);
        p.counters.inc("out", 1, p.stack.muc.resolve(target));
      }
    },
    warn(message, fields) {
      p.log.warn(fields ?? {}, message);
      p.warn(message);
    },
    resolveRoom: (room) => p.stack.muc.resolve(room),
    secret: (name) => process.env[name],
    count: (name, n = 1) => p.counters.inc(name, n),
    ...(p.couchdb ? { couchdb: p.couchdb } : {}),
  };
}
