// A real mesh for integration tests: `startup.ts run` as a child process against a test server,
// with bot accounts registered, plus a helper client built from core's own XMPP stack.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import type { Event } from "../../core/sdk/event.js";
import type { ManagedServer } from "../../core/host/server/managed-server.js";
import type { InstanceStatus } from "../../core/host/supervisor/supervisor.js";
import { createXmppStack, Subscriber, type XmppStack } from "../../core/host/xmpp/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MESH_PASSWORD = "mesh-test-password";

export interface MeshOptions {
  /** The `bots:` list and anything else of the mesh YAML, minus `xmpp`/`state`/`rooms`. */
  body: string;
  /** The roomgraph file's content. */
  rooms: string;
  /** Instance ids to register accounts for. */
  ids: string[];
  /** Run in this directory, kept on stop: a second start on it finds the bots' state. */
  dir?: string;
}

export interface RunningMesh {
  dir: string;
  proc: ChildProcess;
  /** Everything the supervisor and bots logged (pino JSON lines). */
  logs: string[];
  statuses(): Promise<InstanceStatus[]>;
  stop(): Promise<void>;
}

/** Start `startup.ts run` on a config for `server` (client login, shared password). */
export async function startMesh(server: ManagedServer, opts: MeshOptions): Promise<RunningMesh> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "mesh-run-")));
  await mkdir(dir, { recursive: true });
  for (const id of opts.ids) await server.register(id, MESH_PASSWORD);
  const config = [
    "xmpp:",
    "  mode: client",
    `  service: ${server.service}`,
    `  domain: ${server.host}`,
    `  muc: ${server.mucHost}`,
    '  password: "${MESH_PASSWORD}"',
    `state: ${join(dir, "state")}`,
    "rooms: rooms.yaml",
    opts.body,
  ].join("\n");
  await writeFile(join(dir, "mesh.yaml"), config);
  await writeFile(join(dir, "rooms.yaml"), opts.rooms);
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "startup.ts", "run", "--config", join(dir, "mesh.yaml")],
    { cwd: ROOT, env: { ...process.env, MESH_PASSWORD }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: string[] = [];
  let tail = "";
  // Also on disk, to read after a failure (KEEP_SERVER_DIRS=1 keeps the directory).
  const logFile = createWriteStream(join(dir, "mesh.log"), { flags: "a" });
  proc.stderr?.pipe(logFile);
  proc.stderr?.on("data", (chunk: Buffer) => {
    const lines = (tail + chunk.toString()).split("\n");
    tail = lines.pop() ?? "";
    logs.push(...lines);
  });
  proc.stdout?.resume();
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    dir,
    proc,
    logs,
    async statuses() {
      try {
        const text = await readFile(join(dir, "state", "supervisor.json"), "utf8");
        return (JSON.parse(text) as { instances: InstanceStatus[] }).instances;
      } catch {
        return [];
      }
    },
    async stop() {
      proc.kill("SIGTERM");
      await exited;
      if (process.env.KEEP_SERVER_DIRS !== "1" && opts.dir === undefined) {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Poll `check` until it returns a value (not undefined), or fail naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A test participant using core's own XMPP stack: publish to and collect from rooms. */
export interface Peer {
  stack: XmppStack;
  /** Events received per room (bare JID). */
  received: Map<string, Event[]>;
  /** Raw groupchat bodies received per room. */
  bodies: Map<string, string[]>;
  listen(room: string): Promise<void>;
  stop(): Promise<void>;
}

export async function connectPeer(
  server: ManagedServer,
  user: string,
  opts: { rooms?: Record<string, { form: "compact" | "legacy" }> } = {},
): Promise<Peer> {
  await server.register(user, MESH_PASSWORD);
  const log = pino({ level: process.env.LOG_LEVEL ?? "warn" });
  const stack = createXmppStack({
    login: {
      mode: "client",
      service: server.service,
      jid: `${user}@${server.host}`,
      password: MESH_PASSWORD,
      resource: "peer",
    },
    log,
    mucService: server.mucHost,
    nick: user,
    publisher: { rooms: opts.rooms ?? {} },
  });
  const received = new Map<string, Event[]>();
  const bodies = new Map<string, string[]>();
  const subscriber = new Subscriber({
    muc: stack.muc,
    log,
    skipOwn: true,
    onEvents: (events, m) => {
      const list = received.get(m.room) ?? [];
      list.push(...events);
      received.set(m.room, list);
    },
  });
  stack.muc.on("groupchat", (m) => {
    const body = m.stanza.getChildText("body");
    if (body === null || m.self) return;
    const list = bodies.get(m.room) ?? [];
    list.push(body);
    bodies.set(m.room, list);
  });
  await stack.start();
  return {
    stack,
    received,
    bodies,
    listen: (room) => subscriber.subscribe(room),
    stop: () => stack.stop(),
  };
}

const NS_MAM = "urn:xmpp:mam:2";
const NS_RSM = "http://jabber.org/protocol/rsm";

/**
 * Every event archived in a room (XEP-0313 with XEP-0059 paging), through a peer's connection:
 * proof of what reached the room, whoever was online at the time.
 */
export async function archivedEvents(peer: Peer, room: string): Promise<Event[]> {
  const { decodeMessage } = await import("../../core/host/wire/index.js");
  const { xml } = await import("@xmpp/xml");
  const events: Event[] = [];
  let after: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const queryid = `q${page}-${Math.random().toString(36).slice(2)}`;
    const found: Event[] = [];
    const conn = peer.stack.connection;
    const onStanza = (el: import("@xmpp/xml").Element): void => {
      const result = el.is("message") ? el.getChild("result", NS_MAM) : undefined;
      if (result?.attrs.queryid !== queryid) return;
      const msg = result.getChild("forwarded", "urn:xmpp:forward:0")?.getChild("message");
      if (msg) found.push(...decodeMessage(msg));
    };
    conn.on("stanza", onStanza);
    try {
      const set = xml(
        "set",
        { xmlns: NS_RSM },
        xml("max", {}, "200"),
        ...(after ? [xml("after", {}, after)] : []),
      );
      const query = xml("query", { xmlns: NS_MAM, queryid }, set);
      const reply = await peer.stack.iq.request(xml("iq", { type: "set", to: room }, query));
      events.push(...found);
      const fin = reply.getChild("fin", NS_MAM);
      after = fin?.getChild("set", NS_RSM)?.getChildText("last") ?? undefined;
      if (fin?.attrs.complete === "true" || after === undefined) return events;
    } finally {
      conn.removeListener("stanza", onStanza);
    }
  }
  return events;
}
