// The asn bot's Cymru source against a real DNS server (dnsmasq, test/harness/dns.ts).
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Event, type EventInit, type EventJson, type Outcome } from "../../core/index.js";
import { inOrder } from "../../core/host/runtime/drive.js";
import { testBot, type BotUnderTest } from "../../core/testing.js";
import { startDns, type DnsServer } from "../../test/harness/dns.js";
import { asn, asnBot, type AsnSource } from "./asn.js";

const V6_NAME =
  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com";

const RECORDS = {
  txt: {
    "1.2.0.192.origin.asn.cymru.com": ["64496 64497 | 192.0.2.0/24 | FI | ripencc | 2001-01-01"],
    "AS64496.asn.cymru.com": ["64496 | FI | ripencc | 2001-01-01 | EXAMPLE-AS Example Org, FI"],
    "AS64497.asn.cymru.com": ["64497 | SE | ripencc | 2002-02-02 | OTHER-AS Other Org, SE"],
    [V6_NAME]: ["64498 | 2001:db8::/32 | NL | ripencc | 2003-03-03"],
    "AS64498.asn.cymru.com": ["64498 | NL | ripencc | 2003-03-03 | V6-AS Six Org, NL"],
  },
  servfail: ["7.100.51.198.origin.asn.cymru.com"],
  timeout: ["113.0.203.origin.asn.cymru.com"],
};

const FOUND_V4 = {
  asn: ["64496", "64497"],
  "as allocated": ["2001-01-01", "2002-02-02"],
  "as name": ["EXAMPLE-AS Example Org, FI", "OTHER-AS Other Org, SE"],
  "bgp prefix": ["192.0.2.0/24"],
  "bgp prefix allocated": ["2001-01-01"],
  cc: ["FI"],
  registry: ["ripencc"],
};

describe("asn bot, source cymru, against a real DNS server", () => {
  let dns: DnsServer;
  let bot: BotUnderTest<typeof asn.params> | undefined;
  let opened: AsnSource | undefined;
  const def = asnBot((source) => (opened = source));

  beforeAll(async () => {
    dns = await startDns({ records: RECORDS });
  });
  afterAll(async () => {
    await dns.stop();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
  });

  const start = async (params: Record<string, unknown> = {}) => {
    bot = await testBot(def, { resolver: dns.server, timeout: "300ms", ...params });
    return bot;
  };
  /** Feed events one after the other; return what came out (in order). */
  const run = async (b: BotUnderTest<typeof asn.params>, ...events: EventInit[]) => {
    const out: EventJson[] = [];
    for (const ev of events) out.push(...(await b.handle(ev)));
    return out;
  };
  /**
   * Feed events as the runtime does with the bot's declared concurrency (its own order keeper,
   * inOrder): up to `concurrency` handle() calls at once, outcomes taken in input order.
   */
  const runAtOnce = async (b: BotUnderTest<typeof asn.params>, ...events: EventInit[]) => {
    const out: EventJson[] = [];
    await inOrder<EventInit, Outcome | undefined>(
      Readable.from(events),
      asn.concurrency?.(b.ctx.params) ?? 1,
      b.ctx.signal,
      {
        run: async (ev) => b.running.handle?.(new Event(ev), { room: "in@rooms.test" }),
        finish: (_ev, outcome) => {
          if (outcome instanceof Event) out.push(outcome.toJSON());
          return Promise.resolve();
        },
      },
    );
    return out;
  };

  it("adds every ASN of a multi-origin prefix, with each AS's name", async () => {
    const b = await start();
    expect(await run(b, { ip: "192.0.2.1", type: "scanner" })).toEqual([
      { ...FOUND_V4, ip: ["192.0.2.1"], type: ["scanner"] },
    ]);
    expect(b.counters.get("dns queries")).toBe(3);
  });

  it("looks up IPv6 by its nibble name, and every configured key", async () => {
    const b = await start({ keys: ["ip", "source ip"] });
    expect(await run(b, { ip: "2001:db8::1", "source ip": "not an address" })).toEqual([
      {
        asn: ["64498"],
        "as allocated": ["2003-03-03"],
        "as name": ["V6-AS Six Org, NL"],
        "bgp prefix": ["2001:db8::/32"],
        "bgp prefix allocated": ["2003-03-03"],
        cc: ["NL"],
        ip: ["2001:db8::1"],
        registry: ["ripencc"],
        "source ip": ["not an address"],
      },
    ]);
  });

  it("answers from the cache the second time: no query reaches the server", async () => {
    const b = await start();
    await run(b, { ip: "192.0.2.1" });
    const before = dns.queries();
    // Cached: the event comes straight back from handle(), nothing waits.
    expect(await b.handle({ ip: "192.0.2.1" })).toEqual([{ ...FOUND_V4, ip: ["192.0.2.1"] }]);
    const direct = b.running.handle?.(new Event({ ip: "192.0.2.1" }), { room: "in@rooms.test" });
    expect(direct).toBeInstanceOf(Event);
    expect(dns.queries()).toBe(before);
  });

  it("caches NXDOMAIN: the event passes unchanged, a second lookup sends no query", async () => {
    const b = await start();
    const name = "1.100.51.198.origin.asn.cymru.com";
    expect(await run(b, { ip: "198.51.100.1" })).toEqual([{ ip: ["198.51.100.1"] }]);
    expect(dns.queries(name)).toBe(1);
    expect(await run(b, { ip: "198.51.100.1" })).toEqual([{ ip: ["198.51.100.1"] }]);
    expect(dns.queries(name)).toBe(1);
    expect(b.counters.get("not found")).toBe(2);
    expect(b.counters.get("dns errors")).toBeUndefined();
  });

  it("does not cache SERVFAIL: the event passes unchanged, counted, warned, asked again", async () => {
    const b = await start();
    const name = "7.100.51.198.origin.asn.cymru.com";
    const before = dns.queries(name);
    expect(await run(b, { ip: "198.51.100.7" })).toEqual([{ ip: ["198.51.100.7"] }]);
    const first = dns.queries(name) - before;
    expect(first).toBeGreaterThan(0);
    expect(await run(b, { ip: "198.51.100.7" })).toEqual([{ ip: ["198.51.100.7"] }]);
    expect(dns.queries(name) - before).toBe(2 * first);
    expect(b.counters.get("dns errors")).toBe(2);
    expect(b.warnings[0]).toMatch(/7\.100\.51\.198\.origin\.asn\.cymru\.com failed \(ESERVFAIL\)/);
  });

  it("does not cache timeouts: the event passes unchanged and is asked again", async () => {
    const b = await start({ timeout: "100ms" });
    const name = "1.113.0.203.origin.asn.cymru.com";
    expect(await run(b, { ip: "203.0.113.1" })).toEqual([{ ip: ["203.0.113.1"] }]);
    const first = dns.queries(name);
    expect(first).toBeGreaterThan(0);
    expect(await run(b, { ip: "203.0.113.1" })).toEqual([{ ip: ["203.0.113.1"] }]);
    expect(dns.queries(name)).toBeGreaterThan(first);
    expect(b.counters.get("dns errors")).toBe(2);
    expect(b.warnings[0]).toMatch(/failed \(ETIMEOUT\)/);
  });

  it("keeps at most `concurrency` queries in flight, and emits in arrival order", async () => {
    const b = await start({ concurrency: 3, timeout: "500ms" });
    const zone = (n: number) => `${n}.113.0.203.origin.asn.cymru.com`;
    const all = () => [1, 2, 3, 4, 5, 6, 7].reduce((s, n) => s + dns.queries(zone(n)), 0);
    const base = all();
    const count = () => all() - base;
    const events = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ ip: `203.0.113.${n}` }));
    const done = runAtOnce(b, { ip: "192.0.2.1" }, ...events, { ip: "192.0.2.1", type: "last" });
    // The server never answers these: three queries go out, the rest wait for a free slot.
    const until = Date.now() + 5_000;
    while (count() < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 150));
    expect(count()).toBe(3);
    expect(await done).toEqual([
      { ...FOUND_V4, ip: ["192.0.2.1"] },
      ...events.map((ev) => ({ ip: [ev.ip] })),
      { ...FOUND_V4, ip: ["192.0.2.1"], type: ["last"] },
    ]);
    expect(opened?.cymru?.peakConcurrency).toBe(3);
  });

  it("rejects a resolver that is not an address[:port] before it starts", async () => {
    await expect(testBot(asn, { resolver: "dns.example" })).rejects.toThrow(
      'resolver: expected address[:port] ([v6 address]:port), got "dns.example"',
    );
    await expect(testBot(asn, { resolver: "192.0.2.1:x" })).rejects.toThrow(/resolver: expected/);
  });

  it("sends no query for private or reserved addresses", async () => {
    const b = await start();
    const before = dns.queries();
    expect(await run(b, { ip: ["10.0.0.1", "127.0.0.1", "fe80::1"] })).toEqual([
      { ip: ["10.0.0.1", "127.0.0.1", "fe80::1"] },
    ]);
    expect(dns.queries()).toBe(before);
    expect(b.counters.get("special skipped")).toBe(3);
  });

  it("in augment mode emits only the added keys, prefixed, tagged with the original's id", async () => {
    const b = await start({ mode: "augment", prefix: "source " });
    const out = await run(b, { ip: "2001:db8::1" }, { ip: "198.51.100.1" });
    expect(out).toHaveLength(1);
    expect(Object.keys(out[0] ?? {}).sort()).toEqual([
      "augment sha-1",
      "source as allocated",
      "source as name",
      "source asn",
      "source bgp prefix",
      "source bgp prefix allocated",
      "source cc",
      "source registry",
    ]);
  });
});
