// The window bot as a real process on a real Prosody: the first of identical events opens a
// window, repeats are suppressed, and a window still open when the mesh stops is closed by the
// next run on the same state dir (windows are persisted, timers re-armed).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Event } from "../../core/sdk/event.js";
import { connectPeer, startMesh, waitFor, type Peer, type RunningMesh } from "../harness/mesh.js";
import { withServer } from "../harness/servers.js";

const BODY = `
bots:
  - id: window
    bot: window
    in: in
    out: out
    params: { window: 20s, save_interval: 1s }
`;
const ROOMS = "routes: []\n";

/** The counters the window instance logged when it stopped. */
function countersAtStop(mesh: RunningMesh): Record<string, number> | undefined {
  for (const line of mesh.logs) {
    if (!line.includes('"instance":"window"') || !line.includes('"msg":"stopped"')) continue;
    return (JSON.parse(line) as { counters: Record<string, number> }).counters;
  }
  return undefined;
}

describe("window bot across a mesh restart [prosody]", () => {
  const server = withServer("prosody");
  let dir: string;
  let peer: Peer;
  let mesh: RunningMesh | undefined;

  const room = (name: string) => `${name}@${server().mucHost}`;
  const out = () => peer.received.get(room("out")) ?? [];
  const tags = () => out().flatMap((e) => e.values("id"));
  const start = () => startMesh(server(), { body: BODY, rooms: ROOMS, ids: ["window"], dir });
  const botInRoom = (present: boolean) =>
    waitFor(`the window bot ${present ? "in" : "gone from"} the in room`, () =>
      peer.stack.muc.occupants(room("in")).has("window") === present ? true : undefined,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "window-restart-"));
    peer = await connectPeer(server(), "watcher");
    await peer.listen("out");
    await peer.stack.muc.join(room("in"));
  });

  afterAll(async () => {
    await peer?.stop();
    await mesh?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("opens once, suppresses repeats, and closes after a restart", async () => {
    const event = new Event({ ip: "192.0.2.1", type: "scanner", feed: "window-test" });
    const other = new Event({ ip: "198.51.100.1", type: "scanner", feed: "window-test" });
    const hash = event.id();

    mesh = await start();
    await botInRoom(true);
    for (let i = 0; i < 5; i++) await peer.stack.publisher.publish("in", event);
    await peer.stack.publisher.publish("in", other);
    await waitFor("both open events", () => (out().length >= 2 ? true : undefined), 60_000);
    // The room keeps order: once the other event's open is out, the repeats were all read.
    expect(out().map((e) => e.toJSON())).toEqual([
      event.union({ id: `${hash}:open` }).toJSON(),
      other.union({ id: `${other.id()}:open` }).toJSON(),
    ]);

    const first = mesh;
    await first.stop();
    mesh = undefined;
    expect(countersAtStop(first)).toMatchObject({ in: 6, opened: 2, suppressed: 4 });
    await botInRoom(false);
    const file = join(dir, "state", "bots", "window", "windows.json");
    const saved = JSON.parse(await readFile(file, "utf8")) as { windows: { hash: string }[] };
    expect(saved.windows.map((w) => w.hash).sort()).toEqual([hash, other.id()].sort());

    mesh = await start();
    await botInRoom(true);
    // Still open after the restart: a repeat is suppressed, not opened again.
    expect(tags()).not.toContain(`${hash}:close`);
    await peer.stack.publisher.publish("in", event);
    const closes = await waitFor(
      "both close events",
      () => {
        const found = tags().filter((t) => t.endsWith(":close"));
        return found.length >= 2 ? found : undefined;
      },
      90_000,
    );
    expect(closes.sort()).toEqual([`${hash}:close`, `${other.id()}:close`].sort());
    expect(
      out()
        .find((e) => e.contains("id", `${hash}:close`))
        ?.toJSON(),
    ).toEqual(event.union({ id: `${hash}:close` }).toJSON());
    expect(tags().filter((t) => t.endsWith(":open"))).toHaveLength(2);
    const second = mesh;
    await second.stop();
    mesh = undefined;
    expect(countersAtStop(second)).toMatchObject({ suppressed: 1, closed: 2 });
    expect(countersAtStop(second)).not.toHaveProperty("opened");
  });
});
