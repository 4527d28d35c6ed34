/**
 * Lobby latency under a flood: a mesh with one handler (add-tag, in -> mid) on a test server,
 * a peer publishing N events (default 30k) to its input room as fast as the publisher's window
 * lets it, and an admin in the lobby asking `tagger: !ping` every 500 ms. Prints the time to each
 * answer while the flood runs and after, so the bot's lobby path can be compared with its event
 * path sharing (or not) one connection.
 * Run: npx tsx test/bench/lobby.bench.ts [N] [prosody|ejabberd]
 */
import { xml } from "@xmpp/xml";
import { Event } from "../../core/sdk/event.js";
import { connectPeer, startMesh, waitFor } from "../harness/mesh.js";
import { startTestServer, type ServerKind } from "../harness/servers.js";

const N = Number(process.argv[2] ?? 30_000);
const KIND = (process.argv[3] ?? "prosody") as ServerKind;

const server = await startTestServer(KIND);
const room = (name: string) => `${name}@${server.mucHost}`;
try {
  const mesh = await startMesh(server, {
    body: "lobby: lobby\nadmins: [admin@localhost]\nbots:\n  - id: tagger\n    bot: add-tag\n    in: in\n    out: mid\n    params: { key: tagged, value: 'yes' }\n",
    rooms: "routes: []\n",
    ids: ["tagger"],
  });
  const admin = await connectPeer(server, "admin");
  const flood = await connectPeer(server, "flood");
  const sink = await connectPeer(server, "sink");
  await admin.stack.muc.join(room("lobby"));
  await waitFor("tagger in the lobby", () =>
    admin.stack.muc.occupants(room("lobby")).has("tagger") ? true : undefined,
  );
  await sink.listen("mid");
  await flood.stack.muc.join("in");
  // The bot subscribes to its input once running; wait for its presence there.
  await waitFor("tagger in its input room", () =>
    flood.stack.muc.occupants(room("in")).has("tagger") ? true : undefined,
  );

  const pings: { at: number; during: boolean; ms: number | undefined; echo?: number }[] = [];
  // The room reflects the admin's own message: how long the server itself took to pass it on.
  let echoed: number | undefined;
  admin.stack.muc.on("groupchat", (m) => {
    if (m.self && m.stanza.getChildText("body") === "!ping tagger") echoed = Date.now();
  });
  let flooding = true;
  const t0 = Date.now();
  const ask = async (): Promise<void> => {
    const before = admin.bodies.get(room("lobby"))?.length ?? 0;
    echoed = undefined;
    const sent = Date.now();
    const during = flooding;
    await admin.stack.connection.send(
      xml("message", { to: room("lobby"), type: "groupchat" }, xml("body", {}, "!ping tagger")),
    );
    const ms = await waitFor(
      "pong",
      () =>
        admin.bodies
          .get(room("lobby"))
          ?.slice(before)
          .some((b) => /pong/.test(b))
          ? Date.now() - sent
          : undefined,
      120_000,
    ).catch(() => undefined);
    pings.push({ at: sent - t0, during, ms, ...(echoed ? { echo: echoed - sent } : {}) });
  };
  const pinger = (async () => {
    while (flooding) {
      await ask();
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  for (let i = 0; i < N; i++) {
    await flood.stack.publisher.publish(
      "in",
      new Event({ ip: `192.0.2.${i % 256}`, type: "scanner", description: `flood ${i}` }),
    );
  }
  await waitFor(
    "the flood through the tagger",
    () => ((sink.received.get(room("mid"))?.length ?? 0) >= N * 0.99 ? true : undefined),
    600_000,
  ).catch(() => undefined);
  const floodMs = Date.now() - t0;
  flooding = false;
  await pinger;
  await ask();
  const during = pings.filter((p) => p.during).map((p) => p.ms ?? Infinity);
  const sorted = [...during].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(`\nLobby !ping under a flood of ${N} events through one bot [${KIND}]`);
  console.log(`  flood through the tagger in ${(floodMs / 1000).toFixed(1)} s`);
  console.log(
    `  answers during the flood: ${during.length}, median ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${sorted.at(-1)} ms`,
  );
  const echoes = pings.filter((p) => p.during).map((p) => p.echo ?? Infinity);
  echoes.sort((a, b) => a - b);
  console.log(
    `  the server's own echo of the question during the flood: median ${echoes[Math.floor(echoes.length / 2)]} ms, max ${echoes.at(-1)} ms`,
  );
  console.log(`  answer after the flood: ${pings.at(-1)?.ms} ms`);
  if (process.env.BENCH_VERBOSE === "1") console.log(pings);
  await Promise.all([admin.stop(), flood.stop(), sink.stop()]);
  await mesh.stop();
} finally {
  await server.stop();
}
