// Bad input costs only itself (DESIGN.md "Delivery"), with the bots as real processes on
// Prosody and ejabberd: an HTTP feed and a file source whose CSV holds one oversized record,
// one unclosed quote and one record a handler throws on emit all the others; the failed events
// wait in the dead letters and come back with `dead-letters --resend` once the cause is fixed.
// And a 10k-line fuzzed file crashes nothing, with every bad line counted.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seededRandom } from "../../core/host/wire/random-events.js";
import { startCouchServer, type CouchServer } from "../../core/host/storage/couch-server.js";
import { startTestServer as startHttp, type TestServer } from "../../bots/feed/test-server.js";
import { MESH_PASSWORD, startMesh, waitFor, type RunningMesh } from "../harness/mesh.js";
import { describeEachServer } from "../harness/servers.js";
import { storedCount, storedEvents } from "../harness/stored.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FORMAT = "format: { type: csv, columns: [ip, seq, note] }";
const UNCLOSED = "unclosed quote in field N: still open after N lines";
const MAP = "map: { fields: { ip: ip, seq: seq, note: note }, constants: { type: scanner } }";

function body(o: { file: string; url: string; db: string; keys: string; bytes?: number }): string {
  return `
${o.bytes ? `message_bytes: ${o.bytes}` : ""}
bots:
  - id: src
    bot: file-feed
    out: feeds.src
    params: { name: src, path: ${o.file}, ${FORMAT}, ${MAP} }
  - id: web
    bot: feed
    out: feeds.web
    params: { name: web, url: "${o.url}", interval: 1h, ${FORMAT}, ${MAP} }
  - id: gate
    bot: require-keys
    in: [feeds.src, feeds.web]
    out: checked
    params: { keys: ${o.keys} }
  - id: historian
    bot: historian
    in: checked
    params: { db: ${o.db}, linger: 200ms }
`;
}

/** 200 lines: #50 has a 100 kB note, #100 an unclosed quote, #150 no note. */
function badCsv(): string {
  const lines: string[] = [];
  for (let i = 1; i <= 200; i++) {
    if (i === 50) lines.push(`192.0.2.50,50,${"x".repeat(100_000)}`);
    else if (i === 100) lines.push(`192.0.2.100,"100,broken`);
    else if (i === 150) lines.push(`192.0.2.150,150,`);
    else lines.push(`192.0.2.${i},${i},ok`);
  }
  return `${lines.join("\n")}\n`;
}

function cli(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "startup.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, MESH_PASSWORD },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

interface Letter {
  instance: string;
  stage: string;
  reason: string;
  where?: string;
  text?: string;
}

function letters(config: string): Letter[] {
  const r = cli(["dead-letters", "--json", "--config", config]);
  return r.out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Letter);
}

/** 10k lines: good ones (some with control characters), and three kinds of garbage. */
function fuzz(n: number): { text: string; good: number; skipped: number; badValues: number } {
  const rnd = seededRandom(9);
  const lines: string[] = [];
  let good = 0;
  let skipped = 0;
  let badValues = 0;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const ip = `198.51.100.${i % 250}`;
    if (r < 0.1) {
      lines.push(`${ip},${i}`); // too few fields
      skipped++;
    } else if (r < 0.2) {
      lines.push(`${ip},${i},st"ray`); // a quote inside an unquoted field
      skipped++;
    } else if (r < 0.3) {
      lines.push(`999.${i}.1.1,${i},bad ip`); // parses, but the ip is no address
      badValues++;
    } else if (r < 0.35) {
      lines.push(`${ip},${i},ctl\u0001\u0008chars`); // XML cannot carry these: replaced
      good++;
    } else {
      lines.push(`${ip},${i},"quoted, with comma"`);
      good++;
    }
  }
  return { text: `${lines.join("\n")}\n`, good, skipped, badValues };
}

describeEachServer("dead letters and bad input", (server, kind) => {
  let dir: string;
  let couch: CouchServer;
  let http: TestServer;
  const saved = process.env.COUCHDB_URL;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `dead-letters-${kind}-`));
    couch = await startCouchServer({ dir: join(dir, "couch") });
    process.env.COUCHDB_URL = couch.url;
    http = await startHttp();
    const csv = badCsv();
    http.route("/list.csv", (_req, res) => void res.writeHead(200).end(csv));
  }, 60_000);

  afterAll(async () => {
    if (saved === undefined) delete process.env.COUCHDB_URL;
    else process.env.COUCHDB_URL = saved;
    await http?.close();
    await couch?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("emits all but the bad records; the failed ones come back with --resend", async () => {
    const file = join(dir, "list.csv");
    await writeFile(file, badCsv());
    const run = join(dir, "run");
    const url = http.url("/list.csv");
    const opts = { file, url, db: "dl" };
    let mesh: RunningMesh = await startMesh(server(), {
      body: body({ ...opts, keys: "[ip, note]" }),
      rooms: "routes: []\n",
      ids: ["src", "web", "gate", "historian"],
      dir: run,
    });
    const config = join(run, "mesh.yaml");
    try {
      // 197 good lines from each source; #100's neighbours are among them.
      await waitFor(
        "394 events stored",
        async () => ((await storedCount(couch.url, "dl")) >= 394 ? true : undefined),
        90_000,
      );
      const seqs = new Set((await storedEvents(couch.url, "dl")).map((d) => d.event.seq?.[0]));
      for (const s of ["49", "51", "99", "101", "149", "151", "200"]) expect(seqs).toContain(s);
      const kept = await waitFor("six dead letters", () => {
        const l = letters(config);
        return l.length >= 6 ? l : undefined;
      });
      const summary = kept.map(
        (l) => `${l.instance} ${l.stage} ${l.reason.replace(/[0-9a-f]{40}|\d+/g, "N")}`,
      );
      expect(summary.sort()).toEqual([
        "gate handle missing note",
        "gate handle missing note",
        "src make event N needs N bytes in a message, over the budget of N",
        `src record ${UNCLOSED}`,
        "web make event N needs N bytes in a message, over the budget of N",
        `web record ${UNCLOSED}`,
      ]);
      // The unreadable line is kept as read, with where it was.
      const records = kept.filter((l) => l.stage === "record");
      expect(records.map((l) => [l.where, l.text])).toEqual(
        expect.arrayContaining([
          ["feed src: list.csv line 100", '192.0.2.100,"100,broken'],
          ["feed web: line 100", '192.0.2.100,"100,broken'],
        ]),
      );
      expect(mesh.logs.some((l) => l.includes("unclosed quote"))).toBe(true);
    } finally {
      await mesh.stop();
    }
    // The causes fixed: a larger message budget, a gate that asks less. Then resend.
    mesh = await startMesh(server(), {
      body: body({ ...opts, keys: "[ip]", bytes: 262_144 }),
      rooms: "routes: []\n",
      ids: ["src", "web", "gate", "historian"],
      dir: run,
    });
    try {
      expect(cli(["dead-letters", "--resend", "--config", config]).code).toBe(0);
      await waitFor(
        "398 events stored",
        async () => ((await storedCount(couch.url, "dl")) >= 398 ? true : undefined),
        90_000,
      );
      const docs = await storedEvents(couch.url, "dl");
      expect(docs).toHaveLength(398);
      expect(docs.filter((d) => d.event.seq?.[0] === "50")).toHaveLength(2);
      expect(docs.filter((d) => d.event.seq?.[0] === "150")).toHaveLength(2);
      // Lines that never were events stay listed (listed once, though read twice).
      expect(letters(config).map((l) => `${l.instance} ${l.stage}`)).toEqual([
        "src record",
        "web record",
      ]);
    } finally {
      await mesh.stop();
    }
  }, 300_000);

  it("a 10k-line fuzzed file crashes nothing, and every bad line is counted", async () => {
    const f = fuzz(10_000);
    const file = join(dir, "fuzz.csv");
    await writeFile(file, f.text);
    const mesh = await startMesh(server(), {
      body: `
bots:
  - id: fuzz
    bot: file-feed
    out: feeds.fuzz
    params: { name: fuzz, path: ${file}, ${FORMAT}, ${MAP} }
  - id: historian
    bot: historian
    in: feeds.fuzz
    params: { db: fuzz, linger: 200ms, batch_size: 500 }
`,
      rooms: "routes: []\n",
      ids: ["fuzz", "historian"],
      dir: join(dir, "fuzz"),
    });
    let stopped = false;
    try {
      await waitFor(
        `${f.good} events stored`,
        async () => ((await storedCount(couch.url, "fuzz")) >= f.good ? true : undefined),
        120_000,
      );
      expect((await mesh.statuses()).map((s) => s.restarts)).toEqual([0, 0]);
      // Bad values and lines that do not parse alike, each in the dead letters.
      const kept = letters(join(dir, "fuzz", "mesh.yaml"));
      expect(kept.filter((l) => l.stage === "record")).toHaveLength(f.skipped);
      expect(kept.filter((l) => l.stage === "make")).toHaveLength(f.badValues);
      await mesh.stop();
      stopped = true;
      // At shutdown each bot logs its counters.
      const last = mesh.logs
        .map((l) => JSON.parse(l.startsWith("{") ? l : "{}") as Record<string, unknown>)
        .filter((l) => l.instance === "fuzz" && l.msg === "stopped")
        .pop() as { counters?: Record<string, number> } | undefined;
      expect(last?.counters?.["skipped lines"]).toBe(f.skipped);
      expect(last?.counters?.["bad ip"]).toBe(f.badValues);
      expect(await storedCount(couch.url, "fuzz")).toBe(f.good);
    } finally {
      if (!stopped) await mesh.stop();
    }
  }, 300_000);
});
