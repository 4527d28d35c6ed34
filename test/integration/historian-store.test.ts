// The historian as a real process on a real Prosody, storing into a CouchDB-compatible server
// (the embedded one and a real Apache CouchDB with admin credentials, each started here and given
// to the mesh as COUCHDB_URL): every event published
// ends up stored exactly once, across a SIGKILL of the historian (catch-up from the room archive)
// and an outage of CouchDB (the on-disk queue).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Event } from "../../core/sdk/event.js";
import { describeEachCouch, storeOpts } from "../harness/couchdb.js";
import { openStore, type Store } from "../../bots/historian/store.js";
import { connectPeer, startMesh, waitFor, type Peer, type RunningMesh } from "../harness/mesh.js";
import { withServer } from "../harness/servers.js";

const BODY = `
bots:
  - id: historian
    bot: historian
    in: events
    catch_up: true
    params: { db: events, linger: 100ms, batch_size: 50 }
`;
const ROOMS = "routes: []\n";

describeEachCouch(
  "historian stores every event exactly once [prosody]",
  (couch) => {
    const server = withServer("prosody");
    let dir: string;
    let store: Store;
    let peer: Peer;
    let mesh: RunningMesh | undefined;
    const saved = process.env.COUCHDB_URL;
    const published = new Set<string>();
    let n = 0;

    const room = () => `events@${server().mucHost}`;
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++, n++) {
        const ev = new Event({
          ip: `192.0.2.${n % 250}`,
          type: "scanner",
          feed: "t",
          seq: String(n),
        });
        published.add(ev.id());
        await peer.stack.publisher.publish("events", ev);
      }
    };
    /** Stored document ids (each at most once: the id is the event id). */
    const stored = async () => {
      const ids: string[] = [];
      let page = await store.find({}, { limit: 1000, fields: ["_id"] });
      for (;;) {
        ids.push(...page.docs.map((d) => d._id));
        if (!page.next) return ids;
        page = await store.find({}, { limit: 1000, fields: ["_id"], cursor: page.next });
      }
    };
    const allStored = (what: string) =>
      waitFor(
        what,
        async () => {
          const ids = await stored().catch(() => []);
          return ids.length >= published.size ? ids : undefined;
        },
        90_000,
      );
    const historianIn = (present: boolean) =>
      waitFor(`the historian ${present ? "in" : "gone from"} the room`, () =>
        peer.stack.muc.occupants(room()).has("historian") === present ? true : undefined,
      );

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "historian-it-"));
      process.env.COUCHDB_URL = couch().authUrl;
      peer = await connectPeer(server(), "feeder");
      await peer.stack.muc.join(room());
      mesh = await startMesh(server(), { body: BODY, rooms: ROOMS, ids: ["historian"], dir });
      await historianIn(true);
      store = await openStore(storeOpts(couch(), "events"));
    }, 120_000);

    afterAll(async () => {
      if (saved === undefined) delete process.env.COUCHDB_URL;
      else process.env.COUCHDB_URL = saved;
      await peer?.stop();
      await mesh?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it("stores what is published to its room", async () => {
      await publish(120);
      const ids = await allStored("120 events stored");
      expect(new Set(ids)).toEqual(published);
    });

    it("after a SIGKILL, catches up from the room archive: nothing missing, nothing twice", async () => {
      const pid = await waitFor("the historian's pid", async () => {
        return (await mesh?.statuses())?.find((s) => s.id === "historian")?.pid;
      });
      process.kill(pid, "SIGKILL");
      await historianIn(false);
      await publish(80); // while it is down: only the room archive has these
      await waitFor("a restarted historian", async () => {
        const s = (await mesh?.statuses())?.find((x) => x.id === "historian");
        return s?.pid !== undefined && s.pid !== pid ? true : undefined;
      });
      await historianIn(true);
      await publish(40);
      const ids = await allStored("all events stored after the restart");
      expect(ids).toHaveLength(new Set(ids).size);
      expect(new Set(ids)).toEqual(published);
    });

    it("keeps events while CouchDB is down and writes them once it is back", async () => {
      await couch().stop();
      await publish(60);
      await new Promise((r) => setTimeout(r, 1500)); // writes fail and back off meanwhile
      await couch().start();
      const ids = await allStored("all events stored after the outage");
      expect(ids).toHaveLength(new Set(ids).size);
      expect(new Set(ids)).toEqual(published);
      expect(mesh?.logs.some((l) => l.includes("CouchDB write failed"))).toBe(true);
    });
  },
  { own: true }, // the last test stops it
);
