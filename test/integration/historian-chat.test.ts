// The historian's chat commands as an operator uses them: a real mesh on a real Prosody, events
// published to the historian's room by a peer, and a real XMPP client (python3-slixmpp, see
// test/harness/chat-client.py) asking !ip, !find and !count in direct messages. Only the JIDs in
// `allowed` (and the admins) get answers; anyone else is refused.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Event } from "../../core/sdk/event.js";
import { dbName, describeEachCouch, storeOpts } from "../harness/couchdb.js";
import { openStore, stamp } from "../../bots/historian/store.js";
import { connectPeer, startMesh, waitFor, type Peer, type RunningMesh } from "../harness/mesh.js";
import { withServer } from "../harness/servers.js";

const run = promisify(execFile);
const CLIENT = fileURLToPath(new URL("../harness/chat-client.py", import.meta.url));
// Debian's python3, which has python3-slixmpp (a pyenv python3 on PATH does not).
const PYTHON = "/usr/bin/python3";
const PASSWORD = "analyst-password";

const BODY = `
bots:
  - id: historian
    bot: historian
    in: events
    catch_up: true
    params: { db: events, linger: 100ms, batch_size: 50, allowed: [analyst@localhost] }
`;
const ROOMS = "routes: []\n";

/** What the peer publishes (documentation addresses and AS numbers), oldest first. */
const EVENTS = [
  { ip: "192.0.2.1", asn: "64496", type: "scanner", feed: "feed-a" },
  { ip: "192.0.2.1", asn: "64496", type: "scanner", feed: "feed-b" },
  { ip: "192.0.2.1", asn: "64496", type: "phishing", feed: "feed-a" },
  { ip: "192.0.2.2", asn: "64496", type: "scanner", feed: "feed-a" },
  { ip: "198.51.100.7", asn: "64497", type: "scanner", feed: "feed-b" },
  { ip: "203.0.113.9", asn: "64497", type: "scanner", feed: "feed-a" },
  { ip: "203.0.113.10", asn: "64498", type: "malware", feed: "feed-b" },
];

describeEachCouch("historian answers chat questions from a real XMPP client [prosody]", (couch) => {
  const server = withServer("prosody");
  const db = dbName("events");
  let dir: string;
  let peer: Peer;
  let mesh: RunningMesh | undefined;
  const saved = process.env.COUCHDB_URL;
  const now = Date.now();
  /** Event times: one minute apart, the last one a minute ago. */
  const timeOf = (i: number) => stamp(new Date(now - (EVENTS.length - i) * 60_000));

  /**
   * Log in as `user` with the Python client, ask each command in turn (in a direct message, or
   * in `room` when given); the replies.
   */
  const askVia = async (
    room: string | undefined,
    user: string,
    ...commands: string[]
  ): Promise<(string | null)[]> => {
    const { hostname, port } = new URL(server().service);
    const to = room === undefined ? `historian@${server().host}/mesh` : "historian";
    const { stdout } = await run(
      PYTHON,
      [
        CLIENT,
        ...["--jid", `${user}@${server().host}/chat`, "--password", PASSWORD],
        ...["--host", hostname, "--port", port, "--timeout", "30"],
        ...["--to", to],
        ...(room === undefined ? [] : ["--room", room, "--nick", user]),
        ...commands,
      ],
      { timeout: 90_000 },
    );
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { ask?: string; reply?: string | null; error?: string });
    const failed = lines.find((l) => l.error !== undefined);
    if (failed) throw new Error(`chat client: ${failed.error}`);
    expect(lines.map((l) => l.ask)).toEqual(commands);
    return lines.map((l) => l.reply ?? null);
  };
  const ask = (user: string, ...commands: string[]) => askVia(undefined, user, ...commands);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "historian-chat-"));
    process.env.COUCHDB_URL = couch().authUrl;
    await server().register("analyst", PASSWORD);
    await server().register("stranger", PASSWORD);
    peer = await connectPeer(server(), "feeder");
    const room = `events@${server().mucHost}`;
    await peer.stack.muc.join(room);
    mesh = await startMesh(server(), {
      body: BODY.replace("db: events", `db: ${db}`),
      rooms: ROOMS,
      ids: ["historian"],
      dir,
    });
    await waitFor("the historian in its room", () =>
      peer.stack.muc.occupants(room).has("historian") ? true : undefined,
    );
    for (const [i, fields] of EVENTS.entries()) {
      await peer.stack.publisher.publish("events", new Event({ ...fields, time: timeOf(i) }));
    }
    const store = await openStore(storeOpts(couch(), db));
    await waitFor(
      `${EVENTS.length} events stored`,
      async () => ((await store.count({}).catch(() => 0)) >= EVENTS.length ? true : undefined),
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    if (saved === undefined) delete process.env.COUCHDB_URL;
    else process.env.COUCHDB_URL = saved;
    await peer?.stop();
    await mesh?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers !ip, !find and !count to an allowed JID in a direct message", async () => {
    const [ip, find, count] = await ask(
      "analyst",
      "!ip 192.0.2.1",
      "!find type = scanner and asn = 64496",
      "!count type = scanner by asn",
    );

    expect(ip).toMatch(/^ip 192\.0\.2\.1\n/);
    expect(ip).toMatch(/^events\s+3$/m);
    expect(ip).toMatch(new RegExp(`^first seen\\s+${timeOf(0)}$`, "m"));
    expect(ip).toMatch(new RegExp(`^last seen\\s+${timeOf(2)}$`, "m"));
    expect(ip).toMatch(/^feeds\s+feed-a \(2\), feed-b \(1\)$/m);
    expect(ip).toMatch(/^types\s+scanner \(2\), phishing \(1\)$/m);
    expect(ip).toMatch(/^latest 3:$/m);
    expect(ip).not.toContain("192.0.2.2");

    expect(find).toMatch(/: 3 events\n/);
    const findRows = (find ?? "").split("\n").filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
    // Newest first: 192.0.2.2 (event 3), then 192.0.2.1 from feed-b (1) and feed-a (0).
    expect(findRows.map((l) => l.split(/\s{2,}/))).toEqual([
      [timeOf(3), "feed-a", "scanner", "192.0.2.2", "64496"],
      [timeOf(1), "feed-b", "scanner", "192.0.2.1", "64496"],
      [timeOf(0), "feed-a", "scanner", "192.0.2.1", "64496"],
    ]);

    expect(count).toMatch(/^asn of 5 event\(s\) matching type = scanner since .*: 2 value\(s\)\n/);
    const countRows = (count ?? "").split("\n").slice(2);
    expect(countRows.map((l) => l.trim().split(/\s+/))).toEqual([
      ["3", "64496"],
      ["2", "64497"],
    ]);
  });

  it("answers in its input room too", async () => {
    const [asn] = await askVia(`events@${server().mucHost}`, "analyst", "!asn 64497");
    expect(asn).toMatch(/^asn 64497\n/);
    expect(asn).toMatch(/^events\s+2$/m);
    expect(asn).toMatch(/^ips\s+2$/m);
  });

  it("refuses a registered JID that is neither allowed nor an admin", async () => {
    const [reply] = await ask("stranger", "!ip 192.0.2.1");
    expect(reply).toContain("refused");
    expect(reply).toContain("stranger@localhost");
    expect(reply).not.toMatch(/events\s+3/);
  });
});
