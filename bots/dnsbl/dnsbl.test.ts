// Against a real DNS server (dnsmasq, test/harness/dns.ts): the answers are real DNS answers.
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Event, type EventInit, type EventJson, type Outcome } from "../../core/index.js";
import { inOrder } from "../../core/host/runtime/drive.js";
import { testBot, type BotUnderTest } from "../../core/testing.js";
import { startDns, type DnsServer } from "../../test/harness/dns.js";
import { dnsbl } from "./dnsbl.js";

const V6_NAME = "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example";

let dns: DnsServer;

beforeAll(async () => {
  dns = await startDns({
    records: {
      a: {
        "2.2.0.192.zen.example": ["127.0.0.2"],
        "3.2.0.192.zen.example": ["127.0.0.2", "127.0.0.4", "127.0.0.9"],
        "3.2.0.192.bl.example": ["127.0.0.2"],
        "4.2.0.192.zen.example": ["127.255.255.254"],
        "5.2.0.192.zen.example": ["192.0.2.99"],
        [V6_NAME]: ["127.0.0.3"],
        "bad.example.com.dbl.example": ["127.0.1.2"],
      },
      servfail: ["broken.example"],
      timeout: ["silent.example"],
    },
  });
});

afterAll(async () => {
  await dns.stop();
});

const ZEN = {
  zone: "zen.example",
  kind: "ip",
  codes: {
    "127.0.0.2": "spam source",
    "127.0.0.3": "ipv6 spam source",
    "127.0.0.4": "exploited host",
  },
};
const DBL = { zone: "dbl.example", kind: "domain", codes: { "127.0.1.2": "spam domain" } };

type Bot = BotUnderTest<typeof dnsbl.params>;

function start(params: Record<string, unknown>): Promise<Bot> {
  return testBot(dnsbl, { resolver: dns.server, timeout: "300ms", tries: 1, ...params });
}

/** Feed one event; what the bot emits for it (handle() resolves once its answers are in). */
function check(bot: Bot, event: EventInit): Promise<EventJson[]> {
  return bot.handle(event);
}

describe("dnsbl", () => {
  it("adds the zone and the reason of a listed address", async () => {
    const bot = await start({ zones: [ZEN] });
    expect(await check(bot, { ip: "192.0.2.2", type: "spam" })).toEqual([
      {
        ip: ["192.0.2.2"],
        type: ["spam"],
        dnsbl: ["zen.example"],
        "dnsbl reason": ["spam source"],
      },
    ]);
    expect(await check(bot, { ip: "2001:db8::5" })).toEqual([
      { ip: ["2001:db8::5"], dnsbl: ["zen.example"], "dnsbl reason": ["ipv6 spam source"] },
    ]);
    await bot.stop();
  });

  it("keeps every zone and every code, unknown codes said as such", async () => {
    const bot = await start({ zones: [ZEN, "bl.example"] });
    expect(await check(bot, { ip: "192.0.2.3" })).toEqual([
      {
        ip: ["192.0.2.3"],
        dnsbl: ["bl.example", "zen.example"],
        "dnsbl reason": [
          "exploited host",
          "listed (127.0.0.2)",
          "listed (127.0.0.9)",
          "spam source",
        ],
      },
    ]);
    await bot.stop();
  });

  it("passes unlisted addresses on unchanged and remembers NXDOMAIN", async () => {
    const bot = await start({ zones: [ZEN] });
    const name = "1.2.0.192.zen.example";
    const before = dns.queries(name);
    expect(await check(bot, { ip: "192.0.2.1" })).toEqual([{ ip: ["192.0.2.1"] }]);
    expect(await check(bot, { ip: "192.0.2.1", port: "25" })).toEqual([
      { ip: ["192.0.2.1"], port: ["25"] },
    ]);
    expect(dns.queries(name) - before).toBe(1);
    // Remembered: the outcome comes back from handle() at once, not as a promise.
    const direct = bot.running.handle?.(new Event({ ip: "192.0.2.1" }), { room: "in@rooms.test" });
    expect(direct).toBeInstanceOf(Event);
    // Nothing to look up: passed on at once, no query.
    expect(await bot.handle({ ip: "mail.example.com" })).toEqual([{ ip: ["mail.example.com"] }]);
    expect(bot.counters.get("queries")).toBe(1);
    await bot.stop();
  });

  it("looks domains up in domain lists and addresses in ip lists only", async () => {
    const bot = await start({ zones: [ZEN, DBL] });
    expect(await check(bot, { "domain name": "bad.example.com", ip: "192.0.2.1" })).toEqual([
      {
        "domain name": ["bad.example.com"],
        ip: ["192.0.2.1"],
        dnsbl: ["dbl.example"],
        "dnsbl reason": ["spam domain"],
      },
    ]);
    expect(await check(bot, { "domain name": "Good.Example.COM." })).toEqual([
      { "domain name": ["Good.Example.COM."] },
    ]);
    expect(dns.queries("good.example.com.dbl.example")).toBe(1);
    expect(dns.queries("bad.example.com.zen.example")).toBe(0);
    expect(dns.queries("1.2.0.192.dbl.example")).toBe(0);
    await bot.stop();
  });

  it("reports 127.255.255.x as a refusal, never a listing", async () => {
    const bot = await start({ zones: [ZEN] });
    expect(await check(bot, { ip: "192.0.2.4" })).toEqual([{ ip: ["192.0.2.4"] }]);
    expect(bot.warnings).toEqual([
      "dnsbl zen.example refused the query for 4.2.0.192.zen.example: 127.255.255.254 (query via a public/open resolver); not a listing",
    ]);
    expect(bot.counters.get("refusals")).toBe(1);
    expect(bot.counters.get("listed")).toBeUndefined();
    await bot.stop();
  });

  it("ignores answers outside 127.0.0.0/8 with a warning", async () => {
    const bot = await start({ zones: [ZEN] });
    expect(await check(bot, { ip: "192.0.2.5" })).toEqual([{ ip: ["192.0.2.5"] }]);
    expect(bot.warnings).toEqual([
      "dnsbl zen.example answered 192.0.2.99 for 5.2.0.192.zen.example: outside 127.0.0.0/8, ignored (a wildcard or hijacking resolver?)",
    ]);
    expect(bot.counters.get("bogus answers")).toBe(1);
    await bot.stop();
  });

  it("does not cache SERVFAIL or timeouts: the next event asks again", async () => {
    const bot = await start({ zones: ["broken.example", "silent.example", ZEN] });
    const event = { ip: "192.0.2.2" };
    const zenBefore = dns.queries("2.2.0.192.zen.example");
    const listed = { ip: ["192.0.2.2"], dnsbl: ["zen.example"], "dnsbl reason": ["spam source"] };
    expect(await check(bot, event)).toEqual([listed]);
    expect(await check(bot, event)).toEqual([listed]);
    expect(dns.queries("2.2.0.192.broken.example")).toBe(2);
    expect(dns.queries("2.2.0.192.silent.example")).toBe(2);
    // The listing is remembered meanwhile.
    expect(dns.queries("2.2.0.192.zen.example") - zenBefore).toBe(1);
    expect(bot.counters.get("dns errors")).toBe(4);
    expect(new Set(bot.warnings)).toEqual(
      new Set([
        "dnsbl broken.example: no answer for 2.2.0.192.broken.example: SERVFAIL",
        "dnsbl silent.example: no answer for 2.2.0.192.silent.example: timed out",
      ]),
    );
    await bot.stop();
  });

  it("emits AbuseHelper augments in augment mode", async () => {
    const bot = await start({ zones: [ZEN], mode: "augment", prefix: "source " });
    const event = new Event({ ip: "192.0.2.2" });
    expect(await check(bot, event)).toEqual([
      {
        "augment sha-1": [event.id()],
        "source dnsbl": ["zen.example"],
        "source dnsbl reason": ["spam source"],
      },
    ]);
    await bot.handle({ ip: "192.0.2.1" });
    await bot.stop();
    expect(bot.emitted).toHaveLength(1);
  });

  it("rejects zones it cannot use, naming the entry", async () => {
    await expect(
      start({ zones: [{ zone: "zen.example", codes: { "10.0.0.2": "x" } }] }),
    ).rejects.toThrow('zones[0].codes: "10.0.0.2" is not a listing code 127.x.y.z');
    await expect(start({ zones: [ZEN, { zone: "bl.example", type: "ip" }] })).rejects.toThrow(
      "zones[1]: unknown field type (known: zone, kind, codes)",
    );
    await expect(start({ zones: [{ zone: "bl.example", kind: "url" }] })).rejects.toThrow(
      'zones[0].kind: expected ip or domain, got "url"',
    );
    await expect(start({})).rejects.toThrow(/zones: required/);
  });

  it("rejects resolvers that are not IP addresses before it starts", async () => {
    await expect(
      start({ zones: [ZEN], resolver: ["ns.example", "192.0.2.53:53"] }),
    ).rejects.toThrow(
      'resolver: expected address or address:port ([v6 address]:port), got "ns.example"',
    );
  });

  it("asks for the next events while a slow list answers, and sends them on in order", async () => {
    const slow = { zone: "silent.example", kind: "domain" };
    const bot = await start({ zones: [slow, ZEN], concurrency: 4 });
    const events = [
      { "domain name": "slow.example.com" },
      { ip: "192.0.2.2" },
      { ip: "192.0.2.1" },
    ];
    const asked = () => dns.queries("2.2.0.192.zen.example") + dns.queries("1.2.0.192.zen.example");
    const before = asked();
    const out: { event: EventJson | undefined; askedMeanwhile: number }[] = [];
    // The runtime's own order keeper, with the bot's declared concurrency.
    await inOrder<Event, Outcome | undefined>(
      Readable.from(events.map((ev) => new Event(ev))),
      dnsbl.concurrency?.(bot.ctx.params) ?? 1,
      bot.ctx.signal,
      {
        run: async (ev) => bot.running.handle?.(ev, { room: "in@rooms.test" }),
        finish: (_ev, outcome) => {
          const event = outcome instanceof Event ? outcome.toJSON() : undefined;
          out.push({ event, askedMeanwhile: asked() - before });
          return Promise.resolve();
        },
      },
    );
    // Both later events were asked before the slow one was done.
    expect(out[0]?.askedMeanwhile).toBe(2);
    expect(out.map((o) => o.event)).toEqual([
      { "domain name": ["slow.example.com"] },
      { ip: ["192.0.2.2"], dnsbl: ["zen.example"], "dnsbl reason": ["spam source"] },
      { ip: ["192.0.2.1"] },
    ]);
    await bot.stop();
  });
});
