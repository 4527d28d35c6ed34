// The mesh end to end: `startup.ts run` supervising real bot processes on a real Prosody and a
// real ejabberd. What a user would notice: events cross rooms intact, a killed bot comes back,
// a malformed stanza is counted and skipped, and only admins get !status.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Event } from "../../core/sdk/event.js";
import { SERVER_KINDS, withServer } from "../harness/servers.js";
import {
  connectPeer,
  MESH_PASSWORD,
  startMesh,
  waitFor,
  type Peer,
  type RunningMesh,
} from "../harness/mesh.js";

const BODY = `
lobby: lobby
admins: [admin@localhost]
bots:
  - id: tagger
    bot: add-tag
    in: in
    out: mid
    params: { key: tagged, value: "yes" }
  - id: roomgraph
    bot: roomgraph
`;

const ROOMS = `
rooms:
  people: { form: legacy }
routes:
  - from: mid
    to: machine
    rule: tagged = yes
  - from: mid
    to: people
    rule: type = scanner
`;

function sampleEvents(n: number, prefix: string): Event[] {
  return Array.from(
    { length: n },
    (_, i) =>
      new Event({
        ip: `192.0.2.${i % 256}`,
        type: i % 3 === 0 ? "scanner" : "spam",
        description: `${prefix} #${i}: åäö "quoted", 日本 😀`,
        port: i % 2 ? ["22", "2222"] : "25",
      }),
  );
}

const ids = (events: Event[]) => new Set(events.map((e) => e.id()));
const tagged = (events: Event[]) => events.map((e) => e.union({ tagged: "yes" }));

for (const kind of SERVER_KINDS) {
  describe(`mesh on ${kind}`, () => {
    const server = withServer(kind);
    let mesh: RunningMesh;
    let peer: Peer;
    let admin: Peer;

    const room = (name: string) => `${name}@${server().mucHost}`;
    const lobbyReply = async (who: Peer, text: string, match: RegExp) => {
      const before = who.bodies.get(room("lobby"))?.length ?? 0;
      await who.stack.connection.send(
        xml("message", { to: room("lobby"), type: "groupchat" }, xml("body", {}, text)),
      );
      return waitFor(`a lobby reply matching ${match}`, () =>
        who.bodies
          .get(room("lobby"))
          ?.slice(before)
          .find((b) => match.test(b)),
      );
    };

    beforeAll(async () => {
      mesh = await startMesh(server(), { body: BODY, rooms: ROOMS, ids: ["tagger", "roomgraph"] });
      peer = await connectPeer(server(), "peer", { rooms: { "in-legacy": { form: "legacy" } } });
      admin = await connectPeer(server(), "admin");
      for (const r of ["machine", "people"]) await peer.listen(r);
      await admin.stack.muc.join(room("lobby"));
      // Both bots are in their rooms once they show in the lobby.
      await waitFor("both bots in the lobby", () => {
        const nicks = [...admin.stack.muc.occupants(room("lobby")).keys()];
        return ["tagger", "roomgraph"].every((n) => nicks.includes(n)) ? true : undefined;
      });
    });

    afterAll(async () => {
      await peer?.stop();
      await admin?.stop();
      await mesh?.stop();
    });

    it("carries batched compact events through a bot and the roomgraph intact", async () => {
      await peer.stack.muc.join(room("in"));
      const events = sampleEvents(600, "compact");
      for (const ev of events) await peer.stack.publisher.publish("in", ev);
      const want = ids(tagged(events));
      const got = await waitFor("all events in machine", () => {
        const seen = ids(peer.received.get(room("machine")) ?? []);
        return [...want].every((id) => seen.has(id)) ? seen : undefined;
      });
      expect(got.size).toBe(want.size);
      // The readable room gets the scanners only, one event per message with a body.
      const scanners = tagged(events.filter((e) => e.contains("type", "scanner")));
      await waitFor("scanners in people", () =>
        (peer.received.get(room("people"))?.length ?? 0) >= scanners.length ? true : undefined,
      );
      expect(ids(peer.received.get(room("people")) ?? [])).toEqual(ids(scanners));
      const bodies = peer.bodies.get(room("people")) ?? [];
      expect(bodies.length).toBe(scanners.length);
      expect(bodies.some((b) => b.includes("type=scanner") && b.includes("tagged=yes"))).toBe(true);
    });

    it("reads legacy single-event messages as well", async () => {
      const legacy = await connectPeer(server(), "legacy", { rooms: { in: { form: "legacy" } } });
      await legacy.stack.muc.join(room("in"));
      const events = sampleEvents(40, "legacy");
      for (const ev of events) await legacy.stack.publisher.publish("in", ev);
      const want = ids(tagged(events));
      await waitFor("legacy events in machine", () => {
        const seen = ids(peer.received.get(room("machine")) ?? []);
        return [...want].every((id) => seen.has(id)) ? true : undefined;
      });
      await legacy.stop();
    });

    it("counts and skips a malformed stanza, and keeps going", async () => {
      const bad = xml(
        "message",
        { to: room("in"), type: "groupchat" },
        xml(
          "e",
          { xmlns: "abusehelper#event" },
          xml("k", { a: "!!!not base64" }, xml("v", { a: "@@" })),
        ),
      );
      await peer.stack.connection.send(bad);
      const good = new Event({ ip: "198.51.100.7", type: "after-malformed" });
      await peer.stack.publisher.publish("in", good);
      const want = good.union({ tagged: "yes" }).id();
      await waitFor("the good event after the bad one", () =>
        peer.received.get(room("machine"))?.some((e) => e.id() === want) ? true : undefined,
      );
      const reply = await lobbyReply(admin, "!status tagger", /^tagger \(add-tag\)/);
      expect(reply).toMatch(/in@[^:]+: in \d+, out \d+, errors 0, malformed 1/);
    });

    it("refuses !status to someone who is not an admin", async () => {
      const stranger = await connectPeer(server(), "stranger");
      await stranger.stack.muc.join(room("lobby"));
      const reply = await lobbyReply(stranger, "!status tagger", /tagger/);
      expect(reply).toMatch(/refused: !status is for admins only \(stranger@localhost/);
      expect(reply).not.toMatch(/in \d+, out/);
      await stranger.stop();
    });

    it("restarts a bot killed with SIGKILL, which rejoins and works again", async () => {
      const before = (await mesh.statuses()).find((s) => s.id === "tagger");
      expect(before?.pid).toBeTypeOf("number");
      process.kill(before?.pid ?? 0, "SIGKILL");
      const after = await waitFor("tagger restarted", async () => {
        const s = (await mesh.statuses()).find((x) => x.id === "tagger");
        return s && s.restarts >= 1 && s.state === "running" && s.pid !== before?.pid
          ? s
          : undefined;
      });
      expect(after.lastExit).toBe("signal SIGKILL");
      await waitFor("tagger back in the lobby", () =>
        admin.stack.muc.occupants(room("lobby")).has("tagger") ? true : undefined,
      );
      const ev = new Event({ ip: "203.0.113.99", type: "after-restart" });
      await waitFor("an event through the restarted tagger", async () => {
        await peer.stack.publisher.publish("in", ev);
        await new Promise((r) => setTimeout(r, 500));
        return peer.received.get(room("machine"))?.some((e) => e.contains("type", "after-restart"))
          ? true
          : undefined;
      });
    });

    it("picks up an added bot on SIGHUP without restarting the others", async () => {
      const before = (await mesh.statuses()).find((s) => s.id === "roomgraph")?.pid;
      await server().register("tagger2", MESH_PASSWORD);
      const file = join(mesh.dir, "mesh.yaml");
      const added = `
  - id: tagger2
    bot: add-tag
    in: in
    out: mid2
    params: { key: second, value: "yes" }
`;
      await writeFile(file, (await readFile(file, "utf8")) + added);
      mesh.proc.kill("SIGHUP");
      await waitFor("tagger2 in the lobby", () =>
        admin.stack.muc.occupants(room("lobby")).has("tagger2") ? true : undefined,
      );
      const statuses = await mesh.statuses();
      expect(statuses.find((s) => s.id === "roomgraph")?.pid).toBe(before);
      expect(statuses.find((s) => s.id === "tagger2")?.state).toBe("running");
    });
  });
}
