// The XMPP server restarted mid-stream: every event a bot's emit() accepted still reaches the
// room (at-least-once: the outbox re-sends what the room had not reflected). Checked against
// the room archive, which holds what reached the room whoever was online.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_KINDS, withServer } from "../harness/servers.js";
import {
  archivedEvents,
  connectPeer,
  startMesh,
  waitFor,
  type Peer,
  type RunningMesh,
} from "../harness/mesh.js";

const N = 20_000;

for (const kind of SERVER_KINDS) {
  describe(`server restart under load on ${kind}`, () => {
    const server = withServer(kind);
    let mesh: RunningMesh;
    let peer: Peer;
    let file: string;

    beforeAll(async () => {
      const dir = await mkdtemp(join(tmpdir(), "mesh-feed-"));
      file = join(dir, "events.jsonl");
      const lines = Array.from({ length: N }, (_, i) =>
        JSON.stringify({ ip: `198.51.100.${i % 256}`, type: "scanner", description: `event ${i}` }),
      );
      await writeFile(file, lines.join("\n") + "\n");
      peer = await connectPeer(server(), "watcher");
      await peer.listen("feed");
    });

    afterAll(async () => {
      await peer?.stop();
      await mesh?.stop();
    });

    it("loses no event that emit() accepted", async () => {
      mesh = await startMesh(server(), {
        body: `
bots:
  - id: source
    bot: sample-feed
    out: feed
    params: { file: "${file}", interval: 1h, feed: restart-test }
`,
        rooms: "routes: []\n",
        ids: ["source"],
      });
      const feedRoom = `feed@${server().mucHost}`;
      await waitFor(
        "the first events in the room",
        () => ((peer.received.get(feedRoom)?.length ?? 0) > 0 ? true : undefined),
        60_000,
      );
      await server().restart();
      await waitFor(
        "the poll to finish",
        () => (mesh.logs.some((l) => l.includes('"poll done"')) ? true : undefined),
        120_000,
      );
      const want = N;
      const got = await waitFor(
        "every event in the room archive",
        async () => {
          const seen = new Set(
            (await archivedEvents(peer, feedRoom)).map((e) => e.value("description")),
          );
          return seen.size >= want ? seen : undefined;
        },
        120_000,
      );
      expect(got.size).toBe(N);
      expect(got.has(`event 0`) && got.has(`event ${N - 1}`)).toBe(true);
      // The restart really interrupted the bot: it logged going offline.
      expect(
        mesh.logs.some((l) => l.includes('"instance":"source"') && /offline|reconnect/i.test(l)),
      ).toBe(true);
    });
  });
}
