// The delivery contract end to end (DESIGN.md "Delivery"), on Prosody and ejabberd: a chain
// file source -> roomgraph -> expert -> historian, as real processes. Events a source sent
// before any consumer ever joined reach the historian, and SIGKILLing each bot of the chain in
// turn mid-run leaves the historian holding every event exactly once.
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCouchServer, type CouchServer } from "../../core/host/storage/couch-server.js";
import { startMesh, waitFor, type RunningMesh } from "../harness/mesh.js";
import { describeEachServer } from "../harness/servers.js";
import { storedCount, storedEvents, untilStored } from "../harness/stored.js";

// Each test has rooms of its own (named after its database): consumers catch up from the room
// archive on their first start, so a room an earlier test filled would feed them its events.
const rooms = (db: string) => `routes:\n  - from: ${db}.feed\n    to: ${db}.raw\n`;
const IDS = ["src", "roomgraph", "tagger", "historian"];

function body(file: string, db: string, consumers: boolean): string {
  const enabled = consumers ? "true" : "false";
  return `
bots:
  - id: src
    bot: file-feed
    out: ${db}.feed
    params:
      name: src
      path: ${file}
      format: { type: csv, columns: [ip, seq] }
      map: { fields: { ip: ip, seq: seq }, constants: { type: scanner } }
  - id: roomgraph
    bot: roomgraph
    enabled: ${enabled}
  - id: tagger
    bot: add-tag
    in: ${db}.raw
    out: ${db}.enriched
    enabled: ${enabled}
    params: { key: source organisation, value: cert-a }
  - id: historian
    bot: historian
    in: ${db}.enriched
    enabled: ${enabled}
    params: { db: ${db}, linger: 200ms, batch_size: 500 }
`;
}

async function writeLines(file: string, n: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`192.0.2.${i % 250},${i}`);
  await writeFile(file, `${lines.join("\n")}\n`);
}

/** Every seq 0..n-1 stored exactly once, each through the expert. */
async function expectExactlyOnce(url: string, db: string, n: number): Promise<void> {
  const docs = await storedEvents(url, db);
  const seqs = docs.map((d) => Number(d.event.seq?.[0]));
  expect(docs.length).toBe(n);
  expect(new Set(seqs).size).toBe(n);
  expect(docs.every((d) => d.event["source organisation"]?.[0] === "cert-a")).toBe(true);
}

/** Until the source's outbox holds something: it has begun to emit. */
async function untilEmitting(stateDir: string): Promise<void> {
  const bytes = async (path: string): Promise<number> => {
    const s = await stat(path).catch(() => undefined);
    if (s === undefined) return 0;
    if (!s.isDirectory()) return s.size;
    const names = await readdir(path).catch(() => []);
    let n = 0;
    for (const name of names) n += await bytes(join(path, name));
    return n;
  };
  const outbox = await waitFor("the source's outbox", async () => {
    const names = await readdir(stateDir).catch(() => []);
    return names.find((f) => f.startsWith("outbox"));
  });
  await waitFor("the source emitting", async () =>
    (await bytes(join(stateDir, outbox))) > 0 ? true : undefined,
  );
}

async function pidOf(mesh: RunningMesh, id: string): Promise<number> {
  return waitFor(`${id}'s pid`, async () => {
    const s = (await mesh.statuses()).find((x) => x.id === id);
    return s?.state === "running" ? s.pid : undefined;
  });
}

describeEachServer("delivery: nothing lost, nothing twice", (server, kind) => {
  let dir: string;
  let couch: CouchServer;
  const saved = process.env.COUCHDB_URL;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `delivery-${kind}-`));
    couch = await startCouchServer({ dir: join(dir, "couch") });
    process.env.COUCHDB_URL = couch.url;
  }, 60_000);

  afterAll(async () => {
    if (saved === undefined) delete process.env.COUCHDB_URL;
    else process.env.COUCHDB_URL = saved;
    await couch?.stop();
    if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
  });

  it("delivers what a source sent before any consumer had ever joined", async () => {
    const n = 3000;
    const file = join(dir, "early.csv");
    await writeLines(file, n);
    const run = join(dir, "early");
    // Only the source runs: its events are in the room archive and nowhere else.
    let mesh = await startMesh(server(), {
      body: body(file, "early", false),
      rooms: rooms("early"),
      ids: IDS,
      dir: run,
    });
    await waitFor(
      "the source to read its file",
      () => (mesh.logs.some((l) => l.includes('"files read"')) ? true : undefined),
      60_000,
    );
    await mesh.stop();
    // Now the consumers start for the first time: they catch up from the archive.
    mesh = await startMesh(server(), {
      body: body(file, "early", true),
      rooms: rooms("early"),
      ids: IDS,
      dir: run,
    });
    try {
      await untilStored(couch.url, "early", n, 120_000);
      await expectExactlyOnce(couch.url, "early", n);
    } finally {
      await mesh.stop();
    }
  }, 240_000);

  // CI runs 10k on Prosody and 5k on ejabberd (the embedded CouchDB sets the pace, ~150 events/s
  // here, and CI has 20 minutes for everything); DELIVERY_EVENTS=100000 is the full run (about
  // 17 min on a busy 2-core machine), done by hand before a release.
  const n = Number(process.env.DELIVERY_EVENTS ?? (kind === "prosody" ? 10_000 : 5_000));
  it(
    "SIGKILL of each bot of the chain in turn: every event stored exactly once",
    async () => {
      const file = join(dir, "kill.csv");
      await writeLines(file, n);
      const mesh = await startMesh(server(), {
        body: body(file, "kill", true),
        rooms: rooms("kill"),
        ids: IDS,
        dir: join(dir, "kill"),
      });
      try {
        // Kill each bot once events are flowing through it, the source first (mid-read).
        const killed: string[] = [];
        for (const [i, id] of IDS.entries()) {
          // The source as soon as its first events are accepted (spooled), so mid-read; the
          // others once events are flowing through them.
          if (i === 0) await untilEmitting(join(dir, "kill", "state", "bots", "src"));
          else await untilStored(couch.url, "kill", (i * n) / 10, 300_000);
          if (id === "src" && mesh.logs.some((l) => l.includes('"files read"'))) continue;
          process.kill(await pidOf(mesh, id), "SIGKILL");
          console.log(`[${kind}] killed ${id} at ${await storedCount(couch.url, "kill")} stored`);
          killed.push(id);
          await pidOf(mesh, id); // restarted by the supervisor
        }
        expect(killed).toEqual(IDS); // the source too: killed mid-read
        const started = Date.now();
        await untilStored(couch.url, "kill", n, 300_000 + n * 20);
        console.log(
          `[${kind}] ${n} events stored ${Math.round((Date.now() - started) / 1000)} s after the last kill`,
        );
        await new Promise((r) => setTimeout(r, 2000)); // a late duplicate would show up by now
        await expectExactlyOnce(couch.url, "kill", n);
      } finally {
        await mesh.stop();
      }
    },
    600_000 + n * 30,
  );
});
