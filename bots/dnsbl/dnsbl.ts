import {
  defineBot,
  Event,
  expertOutput,
  expertParams,
  param,
  type BotContext,
} from "../../core/index.js";
import { Limiter, Lookup, type Outcome } from "./lookup.js";
import { checkZones, queryName, type Zone } from "./zones.js";

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
    help: "DNS servers to ask, host or host:port (default: the system's); lists such as Spamhaus refuse public resolvers",
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

interface Running {
  lookup: Lookup;
  events: Limiter;
  inFlight: Set<Promise<void>>;
}

const running = new WeakMap<Ctx, Running>();

/** Warn and count what a query that went out brought back; cached answers say nothing again. */
function report(ctx: Ctx, name: string, zone: Zone, outcome: Outcome): void {
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

async function listings(lookup: Lookup, queries: [string, Zone][]): Promise<Event> {
  const added = new Event();
  const outcomes = await Promise.all(queries.map(([name, zone]) => lookup.check(name, zone)));
  outcomes.forEach((outcome, i) => {
    const zone = queries[i]?.[1];
    if (zone === undefined || outcome.kind !== "answer") return;
    const found = outcome.reading.listings;
    if (found.length === 0) return;
    added.add("dnsbl", zone.zone);
    added.add("dnsbl reason", ...found.map((l) => l.reason));
  });
  return added;
}

/** Looks one event up and emits it; failures are logged and the event still goes on. */
async function lookUp(ctx: Ctx, run: Running, event: Event, queries: [string, Zone][]) {
  let added = new Event();
  try {
    added = await listings(run.lookup, queries);
  } catch (err) {
    ctx.count("errors");
    ctx.log.error({ err, event: event.toJSON() }, "dnsbl lookup failed");
  }
  const out = expertOutput(event, added, ctx.params);
  if (out !== undefined) await ctx.emit(out);
}

/** AbuseHelper-style DNSBL expert: which blocklists (Spamhaus, SURBL, ...) list an IP or domain. */
export const dnsbl = defineBot({
  name: "dnsbl",
  kind: "handler",
  description:
    "Adds `dnsbl` (zone) and `dnsbl reason` for IP addresses and domains listed on DNS blocklists.",
  params,
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
    running.set(ctx, { lookup, events: new Limiter(p.concurrency), inFlight: new Set() });
  },
  async stop(ctx) {
    const run = running.get(ctx);
    if (run !== undefined) await Promise.allSettled(run.inFlight);
    running.delete(ctx);
  },
  async handle(event, ctx) {
    const run = running.get(ctx);
    if (run === undefined) throw new Error("dnsbl: handle() before start()");
    const queries = queriesFor(event, ctx);
    if (queries.length === 0) return expertOutput(event, new Event(), ctx.params);
    // Lookups run beside the next events (up to `concurrency`): a slow list must not stall
    // the room. The result is emitted when its answers are in.
    await run.events.acquire();
    const task = lookUp(ctx, run, event, queries)
      .catch((err: unknown) => {
        ctx.count("errors");
        ctx.log.error({ err }, "dnsbl: event not emitted");
      })
      .finally(() => {
        run.events.release();
        run.inFlight.delete(task);
      });
    run.inFlight.add(task);
    return undefined;
  },
});
