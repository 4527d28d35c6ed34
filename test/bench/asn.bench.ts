/**
 * ASN lookups. Offline: a generated full-size routing table (~900k IPv4 + ~100k IPv6 prefixes,
 * random but valid, written in pfx2as format to a temp file): load time, memory, lookups/s
 * beside a baseline (a Map lookup of exact keys). Cymru: lookups/s against the local DNS harness
 * (dnsmasq on loopback), uncached (every lookup asks) and cached.
 * Run: npx tsx test/bench/asn.bench.ts [v4 prefixes] [v6 prefixes]
 * (node --expose-gc --import tsx ... makes the memory figures exact.)
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Resolver } from "node:dns/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CymruClient } from "../../bots/asn/cymru.js";
import { isSpecial, formatV4, formatV6, parseAddr, type Addr } from "../../core/sdk/net/ip.js";
import { TableSource } from "../../bots/asn/table-source.js";
import { seededRandom } from "../../core/host/wire/random-events.js";
import { startDns } from "../harness/dns.js";
import { fmt, measure, report } from "./measure.js";

const N4 = Number(process.argv[2] ?? 900_000);
const N6 = Number(process.argv[3] ?? 100_000);
const LOOKUPS = 1_000_000;
const rnd = seededRandom(5);
const int = (n: number) => Math.floor(rnd() * n);

/** Prefix lengths roughly as in a full table: over half /24, the rest mostly /16-/23. */
function v4Length(): number {
  const r = rnd();
  return r < 0.6 ? 24 : r < 0.9 ? 20 + int(4) : 12 + int(8);
}

function generate(): { text: string; samples: string[] } {
  const lines: [number, number, string][] = [];
  const samples: string[] = [];
  // ~75k origin ASes as in a real table; 1% of the prefixes multi-origin.
  const asn = () => (rnd() < 0.01 ? `${1 + int(75_000)}_${1 + int(75_000)}` : `${1 + int(75_000)}`);
  while (lines.length < N4) {
    const bits = v4Length();
    const size = 2 ** (32 - bits);
    const base = Math.floor(int(2 ** 32) / size) * size;
    if (isSpecial({ v: 4, n: base })) continue;
    lines.push([base, bits, `${formatV4(base)}\t${bits}\t${asn()}`]);
    if (samples.length < LOOKUPS * 0.9) samples.push(formatV4(base + int(size)));
  }
  lines.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // sorted, as RouteViews writes them
  const v6: [string, string][] = [];
  for (let i = 0; i < N6; i++) {
    const bits = [32, 40, 44, 48, 48, 48][int(6)] ?? 48;
    const w = new Uint32Array([0x20000000 + int(0x1fffffff), int(2 ** 32), 0, 0]);
    if (bits < 64) w[1] = (w[1] ?? 0) & ~(2 ** (64 - bits) - 1);
    const sample = new Uint32Array([w[0] ?? 0, (w[1] ?? 0) + int(2 ** 16), int(2 ** 32), 1]);
    v6.push([formatV6(w), `${formatV6(w)}\t${bits}\t${asn()}`]);
    if (samples.length < LOOKUPS) samples.push(formatV6(sample));
  }
  v6.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const text = [...lines.map((l) => l[2]), ...v6.map((l) => l[1]), ""].join("\n");
  return { text, samples };
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;
const memory = () => {
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
};

const dir = await mkdtemp(join(tmpdir(), "asn-bench-"));
try {
  const file = join(dir, "pfx2as.txt");
  const generated = generate();
  const size = generated.text.length;
  await writeFile(file, generated.text);
  const samples = generated.samples;
  generated.text = ""; // not part of what the table holds
  console.log(`\nRouting table: ${fmt(N4)} IPv4 + ${fmt(N6)} IPv6 prefixes, ${mb(size)} pfx2as`);

  const before = memory();
  const t0 = performance.now();
  const table = await TableSource.open({
    files: [file],
    checkMs: 0,
    onLoad: () => undefined,
    onError: () => undefined,
  });
  const loadMs = performance.now() - t0;
  const after = memory();
  console.log(
    `  load: ${(loadMs / 1000).toFixed(2)} s; held after load: heap+buffers ${mb(after.heap - before.heap)}` +
      ` (${gc ? "after gc" : "approximate: run node --expose-gc --import tsx for exact"}); process RSS ${mb(after.rss)}`,
  );

  const addrs = samples.map((s) => parseAddr(s) as Addr);
  const exact = new Map(samples.map((s, i) => [s, i]));
  let sink = 0;
  const baseline = measure("baseline: Map.get of exact keys", samples.length, () => {
    for (const s of samples) sink += exact.get(s) ?? 0;
  });
  const find = measure("longest-prefix match (parsed address)", addrs.length, () => {
    for (const a of addrs) sink += table.loaded.table.index.find(a);
  });
  const full = measure("parse + match + facts event (per value)", samples.length, () => {
    for (const s of samples) {
      const a = parseAddr(s);
      if (a) sink += table.lookup(a).size;
    }
  });
  report(`Offline lookups (${fmt(samples.length)} addresses)`, "lookups", baseline, [find, full]);
  table.close();
  console.log(`  (checksum ${sink % 7})`);

  await cymru();
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function cymru(): Promise<void> {
  const M = 2_000;
  const txt: Record<string, string[]> = {};
  const ips: string[] = [];
  for (let i = 0; i < M; i++) {
    const ip = `198.51.${100 + (i >> 8)}.${i & 255}`;
    ips.push(ip);
    txt[`${ip.split(".").reverse().join(".")}.origin.asn.cymru.com`] = [
      `${64496 + (i % 16)} | ${ip}/32 | FI | ripencc | 2001-01-01`,
    ];
  }
  for (let a = 64496; a < 64512; a++) {
    txt[`AS${a}.asn.cymru.com`] = [`${a} | FI | ripencc | 2001-01-01 | AS-${a} Example, FI`];
  }
  const dns = await startDns({ records: { txt } });
  try {
    const client = (cacheSize: number) => {
      const resolver = new Resolver({ timeout: 2000, tries: 2 });
      resolver.setServers([dns.server]);
      return new CymruClient({
        resolver,
        concurrency: 32,
        cacheSize,
        cacheTtl: 3_600_000,
        negativeTtl: 3_600_000,
        onError: (name, err) => console.log(`  error ${name}: ${String(err)}`),
      });
    };
    const addrs = ips.map((s) => parseAddr(s) as Addr);
    const timed = async (name: string, run: () => Promise<unknown>, rounds = 1) => {
      const q0 = dns.queries();
      const t0 = performance.now();
      await run();
      const ms = performance.now() - t0;
      const q = dns.queries() - q0;
      console.log(
        `  ${name.padEnd(44)} ${fmt(((rounds * addrs.length) / ms) * 1000).padStart(8)} lookups/s   (${q} queries)`,
      );
    };
    console.log(`\nCymru over DNS (dnsmasq on loopback, concurrency 32, ${M} addresses)`);
    const cold = client(0);
    await timed("uncached (origin + name query each)", () =>
      Promise.all(addrs.map((a) => cold.lookup(a))),
    );
    const warm = client(100_000);
    await Promise.all(addrs.map((a) => warm.lookup(a)));
    const ROUNDS = 50;
    let hits = 0;
    const all = () => {
      for (let r = 0; r < ROUNDS; r++) for (const a of addrs) if (warm.cached(a)) hits++;
    };
    all(); // warm up the JIT
    await timed("cached (answers from memory)", () => Promise.resolve(all()), ROUNDS);
    console.log(`  (cache hits ${hits})`);
  } finally {
    await dns.stop();
  }
}
