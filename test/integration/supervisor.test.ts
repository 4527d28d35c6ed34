// The supervisor as an operator meets it, with `xmpp: managed` (its own Prosody) and the
// embedded CouchDB: one mesh per state dir, the same port after a restart, `stop` and
// `restart ID`, its servers restarted when they die with nothing lost, SIGHUP restarting only
// the changed bot, and no process left behind after SIGTERM to `npm start` or a SIGKILL of
// the supervisor.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InstanceStatus } from "../../core/host/supervisor/supervisor.js";
import { waitFor } from "../harness/mesh.js";
import { processesIn } from "../harness/processes.js";
import { storedEvents } from "../harness/stored.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function config(dir: string, extra = ""): string {
  return `
xmpp: managed
state: ${join(dir, "state")}
rooms: rooms.yaml
lobby: lobby
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
  - id: historian
    bot: historian
    in: feeds.src
    params: { db: sup, linger: 100ms }
${extra}`;
}

interface Mesh {
  proc: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
}

function startMesh(dir: string, cmd: "npm" | "node" = "node"): Mesh {
  const args =
    cmd === "npm"
      ? ["start", "--silent", "--", "--config", join(dir, "mesh.yaml")]
      : ["--import", "tsx", "startup.ts", "run", "--config", join(dir, "mesh.yaml")];
  const proc = spawn(cmd === "npm" ? "npm" : process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LOG_LEVEL: "info" },
  });
  const logs: string[] = [];
  proc.stderr?.on("data", (b: Buffer) => logs.push(...b.toString().split("\n")));
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return { proc, logs, exited };
}

function cli(dir: string, ...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "startup.ts", ...args, "--config", join(dir, "mesh.yaml")],
    { cwd: ROOT, encoding: "utf8", timeout: 90_000 },
  );
  return { code: r.status, out: r.stdout + r.stderr };
}

async function statuses(dir: string): Promise<InstanceStatus[]> {
  try {
    const text = await readFile(join(dir, "state", "supervisor.json"), "utf8");
    return (JSON.parse(text) as { instances: InstanceStatus[] }).instances;
  } catch {
    return [];
  }
}

const couchUrl = async (dir: string) =>
  (await readFile(join(dir, "state", "couchdb", "url"), "utf8")).trim();
const c2sPort = async (dir: string) =>
  new URL(
    (
      JSON.parse(await readFile(join(dir, "state", "managed", "connection.json"), "utf8")) as {
        service: string;
      }
    ).service,
  ).port;

let next = 0;
/** Append `n` events to the followed file. */
async function add(dir: string, n: number): Promise<void> {
  const lines = Array.from({ length: n }, () => {
    next++;
    return `192.0.2.${next % 256},${next}\n`;
  });
  await appendFile(join(dir, "events.csv"), lines.join(""));
}

/** Every event added so far is stored exactly once. */
async function allStored(dir: string): Promise<void> {
  const seqs = await waitFor(
    `${next} events stored`,
    async () => {
      // Read each time: a new run's embedded CouchDB may listen on another port.
      const url = await couchUrl(dir).catch(() => "http://127.0.0.1:1");
      const docs = await storedEvents(url, "sup").catch(() => []);
      return docs.length >= next ? docs.map((d) => d.event.seq?.[0]) : undefined;
    },
    90_000,
  );
  expect(seqs).toHaveLength(next);
  expect(new Set(seqs).size).toBe(next);
}

const running = async (dir: string, ids: string[]) =>
  waitFor(`${ids.join(", ")} running`, async () => {
    const s = await statuses(dir);
    return ids.every((id) => s.find((x) => x.id === id)?.state === "running") ? s : undefined;
  });

describe("supervisor with a managed Prosody", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mesh-sup-"));
    await writeFile(join(dir, "mesh.yaml"), config(dir));
    await writeFile(join(dir, "rooms.yaml"), "routes: []\n");
    await writeFile(join(dir, "events.csv"), "");
  });

  afterAll(async () => {
    for (const p of await processesIn(dir)) process.kill(p.pid, "SIGKILL");
    if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
  });

  it("refuses a second start on the same state dir and leaves the first mesh unharmed", async () => {
    const first = startMesh(dir);
    try {
      await running(dir, ["src", "historian"]);
      await add(dir, 50);
      await allStored(dir);
      const before = await processesIn(dir);
      const second = cli(dir, "run");
      expect(second.code).not.toBe(0);
      expect(second.out).toMatch(/already running .*supervisor pid \d+/);
      expect(second.out).not.toMatch(/\n\s+at /); // no stack trace
      // The same processes, and events still flow.
      expect((await processesIn(dir)).map((p) => p.pid).sort()).toEqual(
        before.map((p) => p.pid).sort(),
      );
      await add(dir, 50);
      await allStored(dir);
    } finally {
      first.proc.kill("SIGTERM");
      await first.exited;
    }
    expect(await processesIn(dir)).toEqual([]);
  }, 180_000);

  it("keeps the Prosody port across runs; stop and restart ID work on the running mesh", async () => {
    const port = await c2sPort(dir);
    const mesh = startMesh(dir);
    await running(dir, ["src", "historian"]);
    expect(await c2sPort(dir)).toBe(port);
    const before = await statuses(dir);
    const restarted = cli(dir, "restart", "historian");
    expect(restarted).toMatchObject({ code: 0, out: "historian restarted\n" });
    const after = await running(dir, ["src", "historian"]);
    const pid = (s: InstanceStatus[], id: string) => s.find((x) => x.id === id)?.pid;
    expect(pid(after, "historian")).not.toBe(pid(before, "historian"));
    expect(pid(after, "src")).toBe(pid(before, "src"));
    expect(cli(dir, "restart", "nosuch").out).toMatch(/no instance nosuch/);
    await add(dir, 20);
    await allStored(dir);
    const stopped = cli(dir, "stop");
    expect(stopped).toMatchObject({ code: 0 });
    expect(stopped.out).toMatch(/mesh stopped/);
    expect(await mesh.exited).toBe(0);
    expect(await processesIn(dir)).toEqual([]);
    expect(cli(dir, "stop")).toMatchObject({ code: 3 });
  }, 180_000);

  it("restarts the managed Prosody and the embedded CouchDB when they die; nothing is lost", async () => {
    const mesh = startMesh(dir);
    try {
      await running(dir, ["src", "historian"]);
      await add(dir, 100);
      const find = async (what: RegExp) =>
        (await processesIn(dir)).find((p) => what.test(p.cmd))?.pid;
      const prosody = await find(/prosody -F/);
      const couch = await find(/couch-main/);
      expect(prosody).toBeDefined();
      expect(couch).toBeDefined();
      process.kill(prosody!, "SIGKILL");
      await add(dir, 100);
      await waitFor("a new Prosody", async () => {
        const p = await find(/prosody -F/);
        return p !== undefined && p !== prosody ? p : undefined;
      });
      process.kill(couch!, "SIGKILL");
      await add(dir, 100);
      await waitFor("a new CouchDB server", async () => {
        const p = await find(/couch-main/);
        return p !== undefined && p !== couch ? p : undefined;
      });
      await add(dir, 100);
      await allStored(dir);
    } finally {
      mesh.proc.kill("SIGTERM");
      await mesh.exited;
    }
  }, 240_000);

  it("on SIGHUP restarts only the bot whose config changed and starts an added one", async () => {
    const mesh = startMesh(dir);
    try {
      const before = await running(dir, ["src", "historian"]);
      const added = `
  - id: tagger
    bot: add-tag
    in: feeds.src
    out: tagged
    params: { key: seen-by, value: tagger }
`;
      const changed = config(dir, added).replace("linger: 100ms", "linger: 150ms");
      await writeFile(join(dir, "mesh.yaml"), changed);
      mesh.proc.kill("SIGHUP");
      const after = await waitFor("historian restarted, tagger added", async () => {
        const s = await statuses(dir);
        const h = s.find((x) => x.id === "historian");
        const t = s.find((x) => x.id === "tagger");
        const old = before.find((x) => x.id === "historian")?.pid;
        return h?.state === "running" && h.pid !== old && t?.state === "running" ? s : undefined;
      });
      const pid = (s: InstanceStatus[], id: string) => s.find((x) => x.id === id)?.pid;
      expect(pid(after, "src")).toBe(pid(before, "src"));
    } finally {
      mesh.proc.kill("SIGTERM");
      await mesh.exited;
      await writeFile(join(dir, "mesh.yaml"), config(dir));
    }
  }, 180_000);

  it("leaves no process behind after SIGTERM to npm start", async () => {
    const mesh = startMesh(dir, "npm");
    await running(dir, ["src", "historian"]);
    expect((await processesIn(dir)).length).toBeGreaterThanOrEqual(4);
    mesh.proc.kill("SIGTERM");
    await mesh.exited;
    await waitFor("every process of the mesh gone", async () =>
      (await processesIn(dir)).length === 0 ? true : undefined,
    );
  }, 180_000);

  it("leaves no process behind after a SIGKILL of the supervisor", async () => {
    const mesh = startMesh(dir);
    await running(dir, ["src", "historian"]);
    mesh.proc.kill("SIGKILL");
    await mesh.exited;
    await waitFor(
      "every process of the mesh gone",
      async () => ((await processesIn(dir)).length === 0 ? true : undefined),
      30_000,
    );
    // And the next start takes over the lock the dead supervisor left.
    const again = startMesh(dir);
    try {
      await running(dir, ["src", "historian"]);
      await add(dir, 10);
      await allStored(dir);
    } finally {
      again.proc.kill("SIGTERM");
      await again.exited;
    }
  }, 180_000);
});
