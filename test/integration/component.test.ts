// Component mode (XEP-0114), managed and external: each bot is a component domain of its own
// (`<id>.<domain>`), since Prosody and ejabberd take one connection per component domain and
// every bot is its own process. Three bots, a source, an expert and the historian, must all be
// online: every event comes through the chain into CouchDB.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCouchServer, type CouchServer } from "../../core/host/storage/couch-server.js";
import { waitFor } from "../harness/mesh.js";
import { withServer } from "../harness/servers.js";
import { storedEvents } from "../harness/stored.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const IDS = ["src", "tagger", "historian"];
const SECRET = "component-test-secret";

function bots(dir: string): string {
  return `
bots:
  - id: src
    bot: file-feed
    out: feeds.src
    params:
      name: src
      path: ${join(dir, "events.csv")}
      follow: true
      format: { type: csv, columns: [ip, seq] }
      map: { fields: { ip: ip, seq: seq }, constants: { type: scanner } }
  - id: tagger
    bot: add-tag
    in: feeds.src
    out: tagged
    params: { key: seen-by, value: tagger }
  - id: historian
    bot: historian
    in: tagged
    params: { db: comp, linger: 100ms }
`;
}

function run(
  dir: string,
  env: NodeJS.ProcessEnv = {},
): { proc: ChildProcess; exited: Promise<void> } {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "startup.ts", "run", "--config", join(dir, "mesh.yaml")],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, ...env } },
  );
  return { proc, exited: new Promise((r) => proc.once("exit", () => r())) };
}

/** 200 events in; all of them stored, tagged, once. */
async function chainWorks(dir: string, couchUrl: () => Promise<string>): Promise<void> {
  const lines = Array.from({ length: 200 }, (_, i) => `192.0.2.${i % 256},${i}\n`);
  await appendFile(join(dir, "events.csv"), lines.join(""));
  const docs = await waitFor(
    "200 tagged events stored",
    async () => {
      const d = await storedEvents(await couchUrl(), "comp").catch(() => []);
      return d.length >= 200 ? d : undefined;
    },
    90_000,
  );
  expect(new Set(docs.map((d) => d.event.seq?.[0])).size).toBe(200);
  expect(docs.every((d) => d.event["seen-by"]?.[0] === "tagger")).toBe(true);
}

describe("component mode on the managed Prosody", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mesh-comp-"));
    await writeFile(join(dir, "events.csv"), "");
    await writeFile(join(dir, "rooms.yaml"), "routes: []\n");
    const head = `xmpp: { mode: managed, login: component }\nstate: ${join(dir, "state")}\nrooms: rooms.yaml\n`;
    await writeFile(join(dir, "mesh.yaml"), head + bots(dir));
  });
  afterAll(async () => {
    if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
  });

  it("has all three bots online, each as its own component", async () => {
    const mesh = run(dir);
    try {
      const url = async () =>
        (await readFile(join(dir, "state", "couchdb", "url"), "utf8").catch(() => "")).trim() ||
        "http://127.0.0.1:1"; // not written yet
      await chainWorks(dir, url);
      const cfg = await readFile(join(dir, "state", "prosody", "prosody.cfg.lua"), "utf8");
      for (const id of IDS) expect(cfg).toContain(`Component "${id}.bots.localhost"`);
    } finally {
      mesh.proc.kill("SIGTERM");
      await mesh.exited;
    }
  }, 180_000);
});

// Prosody only. On ejabberd 23.01 (Debian's) with one ejabberd_service listener for all the
// bots' hosts, stanzas to every component but the first went to s2s and failed
// (remote-server-timeout in the MUC joins); not solved yet.
describe("component mode on an external Prosody", () => {
  const kind = "prosody";
  const server = withServer(kind, {
    components: IDS.map((id) => ({ domain: `${id}.bots.localhost`, secret: SECRET })),
  });
  {
    let dir: string;
    let couch: CouchServer;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `mesh-comp-${kind}-`));
      couch = await startCouchServer({ dir: join(dir, "couch") });
      await writeFile(join(dir, "events.csv"), "");
      await writeFile(join(dir, "rooms.yaml"), "routes: []\n");
      const s = server();
      const head = [
        "xmpp:",
        "  mode: component",
        `  service: ${s.componentService}`,
        "  domain: bots.localhost",
        `  muc: ${s.mucHost}`,
        '  secret: "${MESH_COMPONENT_SECRET}"',
        `state: ${join(dir, "state")}`,
        "rooms: rooms.yaml",
      ].join("\n");
      await writeFile(join(dir, "mesh.yaml"), head + bots(dir));
    });
    afterAll(async () => {
      await couch?.stop();
      if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
    });

    it("has all three bots online, each as its own component", async () => {
      const mesh = run(dir, { MESH_COMPONENT_SECRET: SECRET, COUCHDB_URL: couch.url });
      try {
        await chainWorks(dir, () => Promise.resolve(couch.url));
      } finally {
        mesh.proc.kill("SIGTERM");
        await mesh.exited;
      }
    }, 180_000);
  }
});
