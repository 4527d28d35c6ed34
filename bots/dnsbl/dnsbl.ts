import { Resolver } from "node:dns/promises";
import {
  defineBot,
  drop,
  Event,
  expertOutput,
  expertParams,
  param,
  type BotContext,
  type Outcome,
} from "../../core/index.js";
import { Lookup, type QueryOutcome } from "./lookup.js";
import { checkZones, queryName, type Reading, type Zone } from "./zones.js";

const params = {
  zones: param.any<Zone[]>({
    help: "Lists to ask: [{ zone, kind: ip|domain, codes: { 127.0.0.2: reason, ... } }] (a bare zone name is an ip list)",
    check: checkZones,
  }),
  ip_keys: param.list({
    help: "Keys whose IP addresses are looked up in ip lists",
    default: ["ip"],
  }),
  domain_keys: param.list({
    help: "Keys whose domain names are looked up in domain lists",
    default: ["domain name"],
  }),
  resolver: param.list({
    help: "DNS servers to ask, address or address:port ([v6 address]:port) (default: the system's); lists such as Spamhaus refuse public resolvers",
    default: [],
  }),
  timeout: param.duration({
    help: "How long one try of a query waits for an answer",
    default: 5_000,
  }),
  tries: param.int({ help: "Tries per query before it counts as failed", default: 2, min: 1 }),
  concurrency: param.int({
    help: "Events looked up at once, and DNS queries in flight at once",
    default: 32,
    min: 1,
  }),
  cache_ttl: param.duration({ help: "How long a listing is remembered", default: 3_600_000 }),
  negative_ttl: param.duration({
    help: "How long a name that is not listed (NXDOMAIN), or a refusal, is remembered",
    default: 600_000,
  }),
  cache_size: param.int({ help: "Most names remembered at once", default: 100_000, min: 1 }),
  ...expertParams,
};

type Ctx = BotContext<typeof params>;

/** Warn and count what a query that went out brought back; cached answers say nothing again. */
function report(ctx: Ctx, name: string, zone: Zone, outcome: QueryOutcome): void {
  ctx.count("queries");
  if (outcome.kind === "error") {
    ctx.count("dns errors");
    ctx.warn(`dnsbl ${zone.zone}: no answer for ${name}: ${outcome.error}`);
    return;
  }
  const { listings, refusals, bogus } = outcome.reading;
  if (listings.length > 0) ctx.count("listed");
  for (const r of refusals) {
    ctx.count("refusals");
    ctx.warn(
      `dnsbl ${zone.zone} refused the query for ${name}: ${r.code} (${r.meaning}); not a listing`,
    );
  }
  if (bogus.length > 0) {
    ctx.count("bogus answers");
    ctx.warn(
      `dnsbl ${zone.zone} answered ${bogus.join(", ")} for ${name}: outside 127.0.0.0/8, ignored (a wildcard or hijacking resolver?)`,
    );
  }
}

/** The names to ask for an event: each zone with the values of its kind's keys. */
export function queriesFor(event: Event, ctx: Ctx): [string, Zone][] {
  const names = new Map<string, Zone>();
  for (const zone of ctx.params.zones) {
    const keys = zone.kind === "ip" ? ctx.params.ip_keys : ctx.params.domain_keys;
    for (const key of keys) {
      for (const value of event.values(key)) {
        const name = queryName(value, zone);
        if (name !== undefined) names.set(name, zone);
      }
    }
  }
  return [...names];
}

/** The facts of an event's answers: each listing zone and its reasons (undefined: failed). */
function listings(queries: [string, Zone][], readings: readonly (Reading | undefined)[]): Event {
  const added = new Event();
  readings.forEach((reading, i) => {
    const zone = queries[i]?.[1];
    if (zone === undefined || reading === undefined || reading.listings.length === 0) return;
    added.add("dnsbl", zone.zone);
    added.add("dnsbl reason", ...reading.listings.map((l) => l.reason));
  });
  return added;
}

/** Names the resolver param gives that node:dns does not take (it wants IP addresses). */
function badServers(servers: readonly string[]): string[] {
  return servers.filter((server) => {
    try {
      new Resolver().setServers([server]);
      return false;
    } catch {
      return true;
    }
  });
}

/** AbuseHelper-style DNSBL expert: which blocklists (Spamhaus, SURBL, ...) list an IP or domain. */
export const dnsbl = defineBot({
  name: "dnsbl",
  kind: "handler",
  description:
    "Adds `dnsbl` (zone) and `dnsbl reason` for IP addresses and domains listed on DNS blocklists.",
  params,
  check(p) {
    const bad = badServers(p.resolver).map((server) => JSON.stringify(server));
    if (bad.length === 0) return [];
    const message = `expected address or address:port ([v6 address]:port), got ${bad.join(", ")}`;
    return [{ key: "resolver", message }];
  },
  // A slow list must not stall the room: the runtime runs this many events at once and sends
  // them on in input order.
  concurrency: (p) => p.concurrency,
  start(ctx) {
    const p = ctx.params;
    const lookup = new Lookup({
      servers: p.resolver,
      timeout: p.timeout,
      tries: p.tries,
      concurrency: p.concurrency,
      cacheTtl: p.cache_ttl,
      negativeTtl: p.negative_ttl,
      cacheSize: p.cache_size,
      onAnswer: (name, zone, outcome) => report(ctx, name, zone, outcome),
    });
    const out = (event: Event, queries: [string, Zone][], readings: (Reading | undefined)[]) =>
      expertOutput(event, listings(queries, readings), p) ?? drop("not listed");
    return {
      handle(event): Outcome | Promise<Outcome> {
        const queries = queriesFor(event, ctx);
        const known = queries.map(([name]) => lookup.cached(name));
        // Nothing to ask, or every answer remembered: the outcome at once, no promise.
        if (known.every((r) => r !== undefined)) return out(event, queries, known);
        const asked = queries.map(([name, zone], i) => {
          const reading = known[i];
          if (reading) return Promise.resolve(reading);
          return lookup
            .check(name, zone)
            .then((o) => (o.kind === "answer" ? o.reading : undefined));
        });
        return Promise.all(asked).then((readings) => out(event, queries, readings));
      },
    };
  },
});
