// `couchdb: managed`: the mesh starts an installed Apache CouchDB (here the test tarball,
// unpacked, as `path:`) with its data, config, log and admin credentials in the state dir; the
// historian's events land in it; it comes back when killed and stops with the mesh.
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Event } from "../../core/sdk/event.js";
import { COUCHDB_TARBALL, NO_REAL_COUCH } from "../harness/couchdb.js";
import { unpackCouch } from "../harness/couchdb-real.js";
import { connectPeer, startMesh, waitFor, type Peer, type RunningMesh } from "../harness/mesh.js";
import { withServer } from "../harness/servers.js";
import { storedCount } from "../harness/stored.js";

const ROOMS = "routes: []\n";

describe.skipIf(COUCHDB_TARBALL === undefined)(
  `couchdb: managed runs an installed Apache CouchDB for the historian [prosody]${COUCHDB_TARBALL === undefined ? ` (${NO_REAL_COUCH})` : ""}`,
  () => {
    const server = withServer("prosody");
    let dir: string;
    let install: string;
    let peer: Peer;
    let mesh: RunningMesh | undefined;
    const cleanup: (() => Promise<void>)[] = [];
    const saved = process.env.COUCHDB_URL;
    const state = () => join(dir, "state");
    const couchUrl = async () => (await readFile(join(state(), "couchdb", "url"), "utf8")).trim();
    /** The managed CouchDB's own pid (the Erlang VM), while it runs. */
    const beamPid = async (): Promise<number | undefined> => {
      const text = await readFile(join(state(), "couchdb-managed", "couchdb.pid"), "utf8");
      const pid = Number(text.trim());
      try {
        process.kill(pid, 0);
        return pid;
      } catch {
        return undefined;
      }
    };
    const body = () =>
      [
        `couchdb: { mode: managed, path: ${install} }`,
        "bots:",
        "  - id: historian",
        "    bot: historian",
        "    in: events",
        "    params: { db: managed, linger: 100ms, batch_size: 20 }",
      ].join("\n");
    let n = 0;
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++, n++) {
        await peer.stack.publisher.publish(
          "events",
          new Event({ ip: `192.0.2.${n}`, seq: `${n}` }),
        );
      }
    };

    beforeAll(async () => {
      delete process.env.COUCHDB_URL; // the mesh must choose for itself
      dir = await mkdtemp(join(tmpdir(), "couch-managed-"));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      const shared = inject("realCouch");
      if (shared) install = shared.release;
      else {
        const unpacked = await unpackCouch(COUCHDB_TARBALL ?? "");
        cleanup.push(unpacked.remove);
        install = unpacked.release;
      }
      peer = await connectPeer(server(), "feeder");
      await peer.stack.muc.join(`events@${server().mucHost}`);
      mesh = await startMesh(server(), { body: body(), rooms: ROOMS, ids: ["historian"], dir });
      await waitFor("the historian in its room", () =>
        peer.stack.muc.occupants(`events@${server().mucHost}`).has("historian") ? true : undefined,
      );
    }, 120_000);

    afterAll(async () => {
      if (saved !== undefined) process.env.COUCHDB_URL = saved;
      await peer?.stop();
      await mesh?.stop();
      for (const f of cleanup) await f();
    });

    it("stores the historian's events in the managed CouchDB, credentials kept 0600", async () => {
      await publish(20);
      const url = await couchUrl();
      await waitFor("20 events in the managed CouchDB", async () =>
        (await storedCount(url, "managed")) >= 20 ? true : undefined,
      );
      // It is the real Apache CouchDB, with admin credentials, not the embedded server.
      const { origin, username, password } = new URL(url);
      const auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
      const welcome = (await (
        await fetch(origin, { headers: { authorization: auth } })
      ).json()) as {
        vendor?: { name?: string };
        version?: string;
      };
      expect(welcome.vendor?.name).toBe("The Apache Software Foundation");
      expect(welcome.version).toBe("3.4.3");
      expect((await fetch(`${origin}/managed`)).status).toBe(401);
      expect(new URL(origin).hostname).toBe("127.0.0.1");
      const creds = join(state(), "couchdb-managed", "credentials.json");
      expect((await stat(creds)).mode & 0o777).toBe(0o600);
      expect((await stat(join(state(), "couchdb", "url"))).mode & 0o777).toBe(0o600);
      expect((await stat(join(state(), "couchdb-managed", "data"))).isDirectory()).toBe(true);
      expect(mesh?.logs.some((l) => l.includes("managed CouchDB running"))).toBe(true);
      expect(mesh?.logs.some((l) => l.includes("embedded CouchDB"))).toBe(false);
    });

    it("is restarted when it dies, and the events written meanwhile arrive", async () => {
      const pid = await beamPid();
      expect(pid).toBeDefined();
      process.kill(pid!, "SIGKILL");
      await publish(10);
      const url = await couchUrl();
      await waitFor(
        "30 events after the restart",
        async () => ((await storedCount(url, "managed").catch(() => 0)) >= 30 ? true : undefined),
        60_000,
      );
      expect(await beamPid()).not.toBe(pid);
      expect(mesh?.logs.some((l) => l.includes("managed CouchDB died; restarting it"))).toBe(true);
    });

    it("stops with the mesh", async () => {
      const { origin } = new URL(await couchUrl());
      await mesh?.stop();
      mesh = undefined;
      await expect(fetch(origin)).rejects.toThrow();
      expect(await beamPid()).toBeUndefined();
    });

    it("keeps its data and credentials across runs, and dies with a SIGKILLed supervisor", async () => {
      const before = await couchUrl();
      mesh = await startMesh(server(), { body: body(), rooms: ROOMS, ids: ["historian"], dir });
      const url = await waitFor("the managed CouchDB again", async () => {
        const now = await couchUrl().catch(() => "");
        return now !== "" && (await storedCount(now, "managed").catch(() => 0)) >= 30
          ? now
          : undefined;
      });
      expect(url).toBe(before); // same port and password: nothing for an operator to re-learn
      const pid = await waitFor("its pid", beamPid);
      mesh.proc.kill("SIGKILL");
      await waitFor("CouchDB gone with its supervisor", async () =>
        (await beamPid()) === undefined ? true : undefined,
      );
      expect(pid).toBeGreaterThan(0);
      await mesh.stop(); // the bots, which go on their own once the supervisor is gone
      mesh = undefined;
    });
  },
);
