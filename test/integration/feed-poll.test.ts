// Two feeds polled by real `feed` bot processes into rooms on a real Prosody: each row reaches
// its room once; an unchanged feed (a conditional GET answered 304, or the same body again)
// emits nothing; a changed feed emits only its new rows; and a mesh restarted on the same
// state dir re-sends nothing old.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, withEtag, type TestServer } from "../../bots/feed/test-server.js";
import { withServer } from "../harness/servers.js";
import { connectPeer, startMesh, waitFor, type Peer, type RunningMesh } from "../harness/mesh.js";

const csvRows = (...rows: string[]) => ["# feed a", "ip,seen,kind", ...rows, ""].join("\n");

function body(http: TestServer): string {
  return `
bots:
  - id: feed-a
    bot: feed
    out: feeds.a
    params:
      name: feed-a
      url: "${http.url("/a.csv")}"
      interval: 2s
      format: { type: csv, columns: header, comment: "#" }
      map:
        fields: { ip: ip, seen: { key: source time, time: iso }, kind: type }
        constants: { feeder: integration test }
  - id: feed-b
    bot: feed
    out: feeds.b
    params:
      name: feed-b
      url: "${http.url("/b.txt")}"
      interval: 2s
      format: { type: list }
      map: { fields: {}, constants: { type: blocklist } }
`;
}

describe("feed bots on prosody", () => {
  const server = withServer("prosody");
  let http: TestServer;
  let peer: Peer;
  let mesh: RunningMesh | undefined;
  let dir: string;
  let a = csvRows(
    "192.0.2.1,2024-03-14T10:09:07Z,scanner",
    "192.0.2.2,2024-03-14T10:09:08Z,scanner",
  );
  let b = "# list b\n198.51.100.1\n198.51.100.0/24 ; netblock\n2001:db8::1\n";

  const room = (name: string) => `${name}@${server().mucHost}`;
  const got = (name: string) => peer.received.get(room(name)) ?? [];
  const start = () =>
    startMesh(server(), {
      body: body(http),
      rooms: "routes: []\n",
      ids: ["feed-a", "feed-b"],
      dir,
    });
  /** Wait until each feed was fetched `n` more times: the bots polled again. */
  const polls = async (n: number) => {
    const [ha, hb] = [http.hits("/a.csv"), http.hits("/b.txt")];
    await waitFor(
      `${n} more polls of both feeds`,
      () => (http.hits("/a.csv") >= ha + n && http.hits("/b.txt") >= hb + n ? true : undefined),
      60_000,
    );
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "feed-poll-"));
    http = await startTestServer();
    http.route(
      "/a.csv",
      withEtag(() => a),
    );
    // Feed b has no validators: "unchanged" is found by comparing event ids.
    http.route("/b.txt", (_q, res) => res.writeHead(200).end(b));
    peer = await connectPeer(server(), "watcher");
    await peer.listen(room("feeds.a"));
    await peer.listen(room("feeds.b"));
  });

  afterAll(async () => {
    await mesh?.stop();
    await peer?.stop();
    await http?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("emits each row once into its room, with feed and times", async () => {
    mesh = await start();
    await waitFor(
      "the rows of both feeds",
      () => (got("feeds.a").length >= 2 && got("feeds.b").length >= 3 ? true : undefined),
      60_000,
    );
    expect(
      got("feeds.a")
        .map((e) => e.value("ip"))
        .sort(),
    ).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(got("feeds.a")[0]?.toJSON()).toMatchObject({
      feed: ["feed-a"],
      "source time": [expect.stringMatching(/Z$/)],
      "feed url": [http.url("/a.csv")],
    });
    const b0 = got("feeds.b")
      .map((e) => e.value("ip") ?? e.value("netblock"))
      .sort();
    expect(b0).toEqual(["198.51.100.0/24", "198.51.100.1", "2001:db8::1"]);
  });

  it("emits nothing when polling an unchanged feed again (a 304, or the same rows)", async () => {
    await polls(2);
    expect(
      http.requests.filter((r) => r.path === "/a.csv").at(-1)?.headers["if-none-match"],
    ).toBeDefined();
    expect(got("feeds.a")).toHaveLength(2);
    expect(got("feeds.b")).toHaveLength(3);
  });

  it("emits only the new rows of a changed feed", async () => {
    a = csvRows("192.0.2.2,2024-03-14T10:09:08Z,scanner", "192.0.2.3,2024-03-14T10:09:09Z,scanner");
    b += "203.0.113.7\n";
    await waitFor(
      "the new rows",
      () => (got("feeds.a").length >= 3 && got("feeds.b").length >= 4 ? true : undefined),
      60_000,
    );
    await polls(1);
    expect(
      got("feeds.a")
        .slice(2)
        .map((e) => e.value("ip")),
    ).toEqual(["192.0.2.3"]);
    expect(
      got("feeds.b")
        .slice(3)
        .map((e) => e.value("ip")),
    ).toEqual(["203.0.113.7"]);
  });

  it("re-sends nothing after a restart on the same state dir", async () => {
    await mesh?.stop();
    const before = http.requests.length;
    mesh = await start();
    await polls(2);
    // The validators survived too: the first request after the restart is conditional.
    const first = http.requests.slice(before).find((r) => r.path === "/a.csv");
    expect(first?.headers["if-none-match"]).toBeDefined();
    // Still live: a row added now comes through alone, after anything re-sent would have.
    b += "203.0.113.8\n";
    await waitFor(
      "the row added after the restart",
      () => (got("feeds.b").length >= 5 ? true : undefined),
      60_000,
    );
    expect(
      got("feeds.b")
        .slice(4)
        .map((e) => e.value("ip")),
    ).toEqual(["203.0.113.8"]);
    expect(got("feeds.a")).toHaveLength(3);
  });
});
