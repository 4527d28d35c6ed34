/**
 * The historian on the embedded CouchDB-compatible server (express-pouchdb, leveldb), in a temp
 * dir: ingest rate through its store (store.put, batches of 500, as its write queue does) beside
 * a bare nano `_bulk_docs` loop of the same documents in the same run; then `!ip` answer
 * latency (the command itself, over the store of N events) for random stored addresses.
 * The two writers alternate batch by batch, so both see the same server state and disk.
 * !ip reads the whole `by-time` index on PouchDB (see the report), so its phase stops after
 * QUERIES questions or BUDGET_S seconds, whichever comes first, and says which.
 * The same run on the real CouchDB with COUCH=real (and COUCHDB_TARBALL); the views' index lag
 * at the end of ingest is printed too.
 * Run: [COUCH=real] npx tsx test/bench/historian.bench.ts [N] [QUERIES] [BUDGET_S]   (200000 60 120)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nano from "nano";
import { historian } from "../../bots/historian/historian.js";
import { openStore, toDoc, type StoredDoc } from "../../bots/historian/store.js";
import { Event } from "../../core/sdk/event.js";
import { startCouchServer } from "../../core/host/storage/couch-server.js";
import { testBot } from "../../core/testing.js";
import { seededRandom } from "../../core/host/wire/random-events.js";
import { fmt } from "./measure.js";
import { lagOf } from "../../bots/historian/view-query.js";
import { COUCHDB_TARBALL, startRealCouch, unpackCouch } from "../harness/couchdb-real.js";

const N = Number(process.argv[2] ?? 200_000);
const BATCH = 500;
const QUERIES = Number(process.argv[3] ?? 60);
const BUDGET_S = Number(process.argv[4] ?? 120);
/** Distinct addresses: about N / ADDRESSES events each. */
const ADDRESSES = 5000;
const PROGRESS = 50_000;

const TYPES = ["scanner", "phishing", "malware", "spam", "botnet drone"];
const FEEDS = ["dshield", "sample", "abuse.ch", "spamhaus"];
const NETS = ["192.0.2", "198.51.100", "203.0.113"];

const rnd = seededRandom(7);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
/** ADDRESSES distinct IPv4 addresses shaped like the documentation ranges (first two octets). */
const ips = Array.from({ length: ADDRESSES }, (_, k) => {
  const net = NETS[k % 3] ?? "192.0.2";
  const [a, b] = net.split(".");
  return `${a}.${b}.${Math.floor(k / 256) % 256}.${k % 256}`;
});

function makeDocs(n: number): StoredDoc[] {
  const seen = new Date();
  const docs: StoredDoc[] = [];
  for (let i = 0; i < n; i++) {
    const time = new Date(seen.getTime() - Math.floor(rnd() * 60 * 86_400_000));
    const ev = new Event({
      ip: pick(ips),
      asn: String(64496 + Math.floor(rnd() * 16)),
      type: pick(TYPES),
      feed: pick(FEEDS),
      cc: pick(["FI", "SE", "NL", "US"]),
      time: time.toISOString().slice(0, 19).replace("T", " ") + "Z",
      seq: String(i),
    });
    docs.push(toDoc(ev, { room: "events@rooms.bench" }, seen));
  }
  return docs;
}

interface Writer {
  name: string;
  write(batch: StoredDoc[]): Promise<void>;
  ms: number;
}

/** Write all docs in batches with each writer in turn; progress lines every PROGRESS docs. */
async function ingest(docs: readonly StoredDoc[], writers: Writer[]): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) {
    const batch = docs.slice(i, i + BATCH);
    for (const w of writers) {
      const t = performance.now();
      await w.write(batch.map((d) => ({ ...d })));
      w.ms += performance.now() - t;
    }
    const done = Math.min(i + BATCH, docs.length);
    if (done % PROGRESS === 0 || done === docs.length) {
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`  ${fmt(done)} docs written by each in ${s} s`);
    }
  }
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const dir = await mkdtemp(join(tmpdir(), "historian-bench-"));
// COUCH=real: the real Apache CouchDB of COUCHDB_TARBALL (test/harness/couchdb-real.ts).
const real = process.env.COUCH === "real";
const couch = real ? await realCouch(dir) : await embeddedCouch(dir);
try {
  console.log(`\nHistorian on ${couch.name}: ${fmt(N)} events`);
  const docs = makeDocs(N);

  const server = nano(couch.authUrl);
  await server.db.create("bare");
  const bare = server.use<StoredDoc>("bare");
  const store = await openStore({ url: couch.url, db: "events", ...couch.auth });
  let written = 0;
  const baseline: Writer = {
    name: "bare nano _bulk_docs",
    ms: 0,
    write: async (batch) => void (await bare.bulk({ docs: batch })),
  };
  const historianWriter: Writer = {
    name: "historian store.put",
    ms: 0,
    write: async (batch) => void (written += (await store.put(batch)).written),
  };
  await ingest(docs, [baseline, historianWriter]);
  const rateOf = (w: Writer) => (N / w.ms) * 1000;
  console.log(`\nIngest (batches of ${BATCH}, ${fmt(written)} written through the store)`);
  for (const w of [baseline, historianWriter]) {
    const ratio =
      w === baseline ? "baseline" : `${(rateOf(w) / rateOf(baseline)).toFixed(3)}x baseline`;
    console.log(`  ${w.name.padEnd(30)} ${fmt(rateOf(w)).padStart(8)} docs/s   ${ratio}`);
  }

  // How far the views are behind right after the last write, and how long they take to catch up.
  const events = server.use<unknown>("events");
  const stale = (await events.view("historian", "by-value", {
    limit: 0,
    update: false,
    stale: "ok",
    update_seq: true,
  } as never)) as { update_seq?: string | number };
  const lag = await lagOf(events, stale.update_seq);
  console.log(
    `  index lag at the end of ingest: ${fmt(lag.changes)} changes, oldest ${lag.seconds?.toFixed(1) ?? "?"} s`,
  );
  const t1 = performance.now();
  for (let behind = lag.changes; behind > 0;) {
    await store.warm();
    await new Promise((r) => setTimeout(r, 2000));
    const now = (await events.view("historian", "by-value", {
      limit: 0,
      update: false,
      stale: "ok",
      update_seq: true,
    } as never)) as { update_seq?: string | number };
    behind = (await lagOf(events, now.update_seq)).changes;
    const s = ((performance.now() - t1) / 1000).toFixed(0);
    console.log(`  ${s} s: ${fmt(behind)} changes not indexed yet`);
  }
  const catchUp = (performance.now() - t1) / 1000;
  console.log(
    `  views caught up in ${catchUp.toFixed(1)} s: ${fmt(lag.changes / catchUp)} documents/s indexed`,
  );

  // The !ip command itself, as the lobby would call it, over the historian's store.
  const bot = await testBot(
    historian,
    { db: "events" },
    { couchdb: { url: couch.url, ...couch.auth } },
  );
  const from = "analyst@localhost/bench";
  const askIp = async (addr: string) => {
    const t0 = performance.now();
    const reply = await bot.ask("ip", addr, from);
    return { ms: performance.now() - t0, reply };
  };
  console.log(
    `\n!ip over ${fmt(N)} events (${fmt(ADDRESSES)} addresses, ~${Math.round(N / ADDRESSES)} events each)`,
  );
  const first = await askIp(pick(ips));
  console.log(`  first query (builds the index it uses): ${(first.ms / 1000).toFixed(1)} s`);
  const times: number[] = [];
  let lines = 0;
  const until = performance.now() + BUDGET_S * 1000;
  for (let q = 0; q < QUERIES; q++) {
    if (performance.now() > until) {
      console.log(`  time budget of ${BUDGET_S} s reached after ${q} of ${QUERIES} queries`);
      break;
    }
    const r = await askIp(pick(ips));
    times.push(r.ms);
    lines += r.reply.split("\n").length;
    if ((q + 1) % 10 === 0) console.log(`  ${q + 1} queries, last ${r.ms.toFixed(0)} ms`);
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${times.length} queries: p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms, max ${(times.at(-1) ?? NaN).toFixed(0)} ms (${(lines / times.length).toFixed(1)} reply lines on average)`,
  );
  await bot.stop();
} finally {
  await couch.stop();
  await rm(dir, { recursive: true, force: true });
}

interface BenchCouch {
  name: string;
  url: string;
  authUrl: string;
  auth: { username?: string; password?: string };
  stop(): Promise<void>;
}

async function embeddedCouch(dir: string): Promise<BenchCouch> {
  const c = await startCouchServer({ dir: join(dir, "couch") });
  return {
    name: "the embedded CouchDB-compatible server",
    url: c.url,
    authUrl: c.url,
    auth: {},
    stop: () => c.stop(),
  };
}

async function realCouch(dir: string): Promise<BenchCouch> {
  if (COUCHDB_TARBALL === undefined)
    throw new Error("COUCH=real needs COUCHDB_TARBALL (see .ci/run)");
  const rel = await unpackCouch(COUCHDB_TARBALL);
  const c = await startRealCouch(rel.release, join(dir, "real"));
  return {
    name: "real Apache CouchDB 3.4.3",
    url: c.url,
    authUrl: c.authUrl,
    auth: { username: c.username ?? "", password: c.password ?? "" },
    stop: async () => {
      await c.stop();
      await rel.remove();
    },
  };
}
