// The lobby as an operator sees it in a real XMPP client (python3-slixmpp, see
// test/harness/lobby-client.py), on Prosody and ejabberd: a mesh of three bots, where `!status`
// gets one line per bot, a command named for one bot is answered by that bot only, an unknown
// command by none, and a direct message to a bot's JID is answered. Beside it, what keeps the
// lobby trustworthy: admins own the rooms the mesh made, bots' nicks are reserved (another
// account cannot take one while the bots are away), a bot whose nick is taken says so, and
// commands are judged on the sender's real JID, not on a nick.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { pino } from "pino";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Event } from "../../core/sdk/event.js";
import { startCouchServer, type CouchServer } from "../../core/host/storage/couch-server.js";
import { createXmppStack, MucJoinError, type XmppStack } from "../../core/host/xmpp/index.js";
import {
  connectPeer,
  MESH_PASSWORD,
  startMesh,
  waitFor,
  type Peer,
  type RunningMesh,
} from "../harness/mesh.js";
import { describeEachServer } from "../harness/servers.js";

const run = promisify(execFile);
const CLIENT = fileURLToPath(new URL("../harness/lobby-client.py", import.meta.url));
// Debian's python3, which has python3-slixmpp (a pyenv python3 on PATH does not).
const PYTHON = "/usr/bin/python3";
const BOTS = ["tagger", "roomgraph", "historian"];

const BODY = `
lobby: lobby
admins: [admin@localhost]
bots:
  - id: tagger
    bot: add-tag
    in: feed
    out: mid
    params: { key: tagged, value: "yes" }
  - id: roomgraph
    bot: roomgraph
  - id: historian
    bot: historian
    in: events
    params: { db: events, linger: 100ms, batch_size: 50 }
`;
// The flood's events (type flood) stay out of the historian's room.
const ROOMS = "routes:\n  - from: mid\n    to: events\n    rule: type = scanner\n";
/** Events sent through the tagger while the operator asks it something. */
const FLOOD = 20_000;

interface Step {
  say: string;
  chat?: string;
  until?: string[];
  timeout?: number;
}
interface StepResult {
  say: string;
  replies: { from: string; body: string }[];
  complete: boolean;
}

describeEachServer("an operator in the lobby with a real client", (server) => {
  let dir: string;
  let couch: CouchServer;
  let mesh: RunningMesh | undefined;
  let admin: Peer;
  let mallory: XmppStack;
  const saved = process.env.COUCHDB_URL;
  const room = (name: string) => `${name}@${server().mucHost}`;

  /** Run the steps in the Python client, logged in as admin@localhost in the lobby. */
  const operator = async (...steps: Step[]): Promise<StepResult[]> => {
    const { hostname, port } = new URL(server().service);
    const { stdout } = await run(
      PYTHON,
      [
        CLIENT,
        ...["--jid", `admin@${server().host}/client`, "--password", MESH_PASSWORD],
        ...["--host", hostname, "--port", port, "--timeout", "30"],
        ...["--room", room("lobby"), "--nick", "operator"],
        ...steps.map((s) => JSON.stringify(s)),
      ],
      { timeout: 120_000 },
    );
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as StepResult & { error?: string });
    const failed = lines.find((l) => l.error !== undefined);
    if (failed) throw new Error(`lobby client: ${failed.error}`);
    expect(lines.map((l) => l.say)).toEqual(steps.map((s) => s.say));
    return lines;
  };
  const fromEach = (r: StepResult | undefined) => r?.replies.map((x) => x.from).sort();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lobby-client-"));
    couch = await startCouchServer({ dir: join(dir, "couch") });
    process.env.COUCHDB_URL = couch.url;
    await server().register("admin", MESH_PASSWORD);
    await server().register("mallory", MESH_PASSWORD);
    mallory = createXmppStack({
      login: {
        mode: "client",
        service: server().service,
        jid: `mallory@${server().host}`,
        password: MESH_PASSWORD,
      },
      // Its joins are refused on purpose: quiet unless asked.
      log: pino({ level: process.env.LOG_LEVEL ?? "silent" }),
      mucService: server().mucHost,
      nick: "mallory",
      muc: { maxNickRetries: 0 },
    });
    await mallory.start();
    // Before the mesh: another account sits in the tagger's output room under its nick.
    await mallory.muc.join("mid", { nick: "tagger" });
    mesh = await startMesh(server(), { body: BODY, rooms: ROOMS, ids: BOTS, dir });
    await waitFor(
      "every bot running",
      async () => {
        const s = await mesh?.statuses();
        return s?.length === BOTS.length && s.every((x) => x.state === "running")
          ? true
          : undefined;
      },
      90_000,
    );
    admin = await connectPeer(server(), "admin");
    await admin.stack.muc.join(room("lobby"));
    await waitFor(
      "every bot in the lobby",
      () => {
        const nicks = admin.stack.muc.occupants(room("lobby"));
        return BOTS.every((b) => nicks.has(b)) ? true : undefined;
      },
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    if (saved === undefined) delete process.env.COUCHDB_URL;
    else process.env.COUCHDB_URL = saved;
    await admin?.stop();
    await mallory?.stop();
    await mesh?.stop();
    await couch?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("a bot that finds its nick taken says so in the lobby, naming who holds it", async () => {
    const said = `my nick tagger in ${room("mid")} is taken by mallory@${server().host}`;
    await waitFor("the warning in the log", () =>
      mesh?.logs.some((l) => l.includes(said)) ? true : undefined,
    );
    // Maybe said before anyone was there to read it: the lobby's history has it then.
    const watcher = await connectPeer(server(), "watcher");
    await watcher.stack.muc.join(room("lobby"), { history: { maxstanzas: 50 } });
    const warning = await waitFor("the warning in the lobby", () =>
      watcher.bodies.get(room("lobby"))?.find((b) => b.includes(said)),
    );
    expect(warning).toMatch(/^tagger: warning: .*I am tagger_2 there/);
    await watcher.stop();
  });

  it("makes the admins owners of the rooms the mesh created", async () => {
    // The admin's self-presence carries its affiliation.
    const lobby = await admin.stack.muc.join(room("lobby"));
    expect(lobby.affiliation).toBe("owner");
    const events = await admin.stack.muc.join(room("events"));
    expect(events.affiliation).toBe("owner");
  });

  it("!status gets one summary line per bot", async () => {
    const [status] = await operator({ say: "!status", until: BOTS });
    expect(status?.complete).toBe(true);
    expect(fromEach(status)).toEqual([...BOTS].sort());
    for (const r of status?.replies ?? []) {
      expect(r.body).toMatch(
        new RegExp(
          `^${r.from}: running, up \\S+, in [\\d,]+, out [\\d,]+, queue \\d+, errors \\d+$`,
        ),
      );
    }
  });

  it("historian: !help brings only the historian's answer", async () => {
    const [help, ping] = await operator(
      { say: "historian: !help", until: ["historian"] },
      // Every bot answers in order: once each has said pong, no late reply to !help can come.
      { say: "!ping", until: BOTS },
    );
    expect(fromEach(help)).toEqual(["historian"]);
    expect(help?.replies[0]?.body).toMatch(/^historian \(historian\) commands:\n/);
    expect(help?.replies[0]?.body).toMatch(/!ip <address>/);
    expect(ping?.replies.map((r) => r.body).sort()).toEqual(BOTS.map((b) => `${b}: pong`).sort());
  });

  it("an unknown command gets no reply; a bot's own command only that bot's", async () => {
    const [unknown, ip, ping] = await operator(
      { say: "!frobnicate", until: [] },
      { say: "!ip 192.0.2.1", until: ["historian"] },
      { say: "!ping", until: BOTS },
    );
    expect(unknown?.replies).toEqual([]);
    expect(fromEach(ip)).toEqual(["historian"]);
    expect(ip?.replies[0]?.body).toMatch(/192\.0\.2\.1/);
    expect(ping?.replies.map((r) => r.body).sort()).toEqual(BOTS.map((b) => `${b}: pong`).sort());
  });

  it("answers a direct message to a bot's JID", async () => {
    const host = server().host;
    const [status, ping] = await operator(
      { chat: `historian@${host}`, say: "!status", until: [`historian@${host}`] },
      { chat: `tagger@${host}`, say: "!ping", until: [`tagger@${host}`] },
    );
    expect(status?.replies).toHaveLength(1);
    expect(status?.replies[0]?.body).toMatch(/^historian \(historian\) running, up /);
    expect(status?.replies[0]?.body).toMatch(/\n {2}total: in \d+/);
    expect(ping?.replies).toEqual([{ from: `tagger@${host}`, body: "tagger: pong" }]);
  });

  it("judges a command on the sender's real JID, not on its nick", async () => {
    // The nick the admin's client had a moment ago: it says nothing about who speaks.
    await mallory.muc.join("lobby", { nick: "operator" });
    const before = admin.bodies.get(room("lobby"))?.length ?? 0;
    await mallory.connection.send(
      xml("message", { to: room("lobby"), type: "groupchat" }, xml("body", {}, "tagger: !status")),
    );
    const reply = await waitFor("the tagger's answer", () =>
      admin.bodies
        .get(room("lobby"))
        ?.slice(before)
        .find((b) => /^tagger(: refused| \(add-tag\))/.test(b)),
    );
    expect(reply).toMatch(/refused: !status is for admins only \(mallory@localhost/);
    await mallory.muc.leave("lobby");
  });

  it("answers the lobby while a flood of events goes through the bot", async () => {
    const flood = await connectPeer(server(), "flood");
    const sink = await connectPeer(server(), "sink");
    await sink.listen("mid");
    await flood.stack.muc.join("feed");
    const through = () => sink.received.get(room("mid"))?.length ?? 0;
    const sending = (async () => {
      for (let i = 0; i < FLOOD; i++) {
        const ev = new Event({ ip: `192.0.2.${i % 256}`, type: "flood", description: `#${i}` });
        await flood.stack.publisher.publish("feed", ev);
      }
    })();
    await waitFor("the flood under way through the tagger", () =>
      through() > 0 ? true : undefined,
    );
    const before = admin.bodies.get(room("lobby"))?.length ?? 0;
    await admin.stack.connection.send(
      xml("message", { to: room("lobby"), type: "groupchat" }, xml("body", {}, "tagger: !ping")),
    );
    await waitFor(
      "the tagger's pong",
      () =>
        admin.bodies.get(room("lobby"))?.slice(before).includes("tagger: pong") ? true : undefined,
      120_000,
    );
    // The answer did not wait for the events: the flood is not through yet.
    expect(through()).toBeLessThan(FLOOD);
    await sending;
    await waitFor(
      "the whole flood through",
      () => (through() >= FLOOD ? true : undefined),
      300_000,
    );
    await Promise.all([flood.stop(), sink.stop()]);
  }, 420_000);

  it("keeps the bots' nicks from another account while the bots are away", async () => {
    await mesh?.stop();
    mesh = undefined;
    for (const [where, nick] of [
      ["lobby", "historian"],
      ["lobby", "tagger"],
      ["events", "historian"],
    ] as const) {
      const err = await mallory.muc.join(where, { nick }).catch((e: unknown) => e);
      expect(err, `${nick} in ${where}`).toBeInstanceOf(MucJoinError);
      expect((err as MucJoinError).condition).toBe("conflict");
    }
    // The rooms are there and open: a nick of its own is fine.
    await expect(mallory.muc.join("lobby", { nick: "mallory" })).resolves.toMatchObject({
      nick: "mallory",
    });
  });
});
