import { Resolver } from "node:dns/promises";
import {
  defineBot,
  Event,
  expertOutput,
  expertParams,
  param,
  ParamError,
  type BotContext,
  formatAddr,
  isSpecial,
  parseAddr,
  type Addr,
} from "../../core/index.js";
import { CymruClient } from "./cymru.js";
import { Pipeline } from "./pipeline.js";
import { TableSource, type Loaded } from "./table-source.js";

const params = {
  source: param.oneOf(["cymru", "table"] as const, {
    help: "cymru: Team Cymru's IP-to-ASN service over DNS; table: an offline routing table file",
    default: "cymru",
  }),
  keys: param.list({
    help: "Keys whose values are looked up (values that are not IP addresses are ignored)",
    default: ["ip"],
  }),
  ...expertParams,
  resolver: param.string({
    help: "cymru: DNS server to ask, address[:port] ([v6 address]:port); empty: the system's",
    default: "",
  }),
  concurrency: param.int({
    help: "cymru: most DNS queries in flight, and most events waiting for answers",
    default: 32,
    min: 1,
  }),
  cache_size: param.int({
    help: "cymru: answers kept in memory (LRU entries, origin and AS-name answers together)",
    default: 100_000,
    min: 0,
  }),
  cache_ttl: param.duration({ help: "cymru: how long an answer is kept", default: 4 * 3_600_000 }),
  negative_ttl: param.duration({
    help: "cymru: how long a miss (NXDOMAIN, no TXT record) is kept; failures are never kept",
    default: 3_600_000,
  }),
  timeout: param.duration({
    help: "cymru: wait this long for a DNS answer (each query is tried twice)",
    default: 5_000,
  }),
  table: param.list({
    help: "table: routing table file(s): RouteViews pfx2as or iptoasn.com ip2asn TSV, gzip accepted",
    default: [],
  }),
  names: param.string({
    help: "table: AS names file, `64496 NAME` per line (e.g. RIPE's asn.txt); empty: none",
    default: "",
  }),
  reload_check: param.duration({
    help: "table: how often the files are checked for changes (0: never)",
    default: 30_000,
  }),
};

type Ctx = BotContext<typeof params>;

interface State {
  /** Facts for the addresses: at once when known, else later. */
  lookup(addrs: Addr[]): Event | Promise<Event>;
  pipe: Pipeline<Event | undefined>;
  close(): void;
  table?: TableSource;
  cymru?: CymruClient;
}

const states = new WeakMap<object, State>();

/** The running state of an instance (tests reach the source through it). */
export function asnState(ctx: object): State | undefined {
  return states.get(ctx);
}

function addresses(event: Event, ctx: Ctx): Addr[] {
  const seen = new Set<string>();
  const out: Addr[] = [];
  for (const key of ctx.params.keys) {
    for (const value of event.valueSet(key) ?? []) {
      const a = parseAddr(value.trim());
      if (a === null) continue;
      const norm = formatAddr(a);
      if (seen.has(norm)) continue;
      seen.add(norm);
      if (isSpecial(a)) ctx.count("special skipped");
      else out.push(a);
    }
  }
  return out;
}

function merge(ctx: Ctx, facts: Event[]): Event {
  const out = new Event(...facts);
  for (const f of facts) ctx.count(f.size > 0 ? "found" : "not found");
  return out;
}

async function openTable(ctx: Ctx): Promise<TableSource> {
  const p = ctx.params;
  if (p.table.length === 0) throw new ParamError("table: required with source: table");
  const onLoad = ({ table, names, ms }: Loaded) => {
    const size = table.index.size;
    ctx.log.info({ ...size, format: table.format, names: names?.size, ms }, "routing table loaded");
    if (table.bad.count > 0) {
      ctx.count("bad lines", table.bad.count);
      ctx.warn(
        `routing table: ${table.bad.count} bad line(s) skipped; first: ${table.bad.first[0]}`,
      );
    }
  };
  return TableSource.open({
    files: p.table,
    names: p.names || undefined,
    checkMs: p.reload_check,
    onLoad,
    onError: (err) => {
      ctx.count("failed reloads");
      const why = err instanceof Error ? err.message : String(err);
      ctx.warn(`routing table reload failed, the table in use stays: ${why}`);
    },
  });
}

function openCymru(ctx: Ctx): { client: CymruClient; resolver: Resolver } {
  const p = ctx.params;
  const resolver = new Resolver({ timeout: p.timeout, tries: 2 });
  if (p.resolver) {
    try {
      resolver.setServers([p.resolver]);
    } catch {
      throw new ParamError(`resolver: expected address[:port], got ${JSON.stringify(p.resolver)}`);
    }
  }
  const client = new CymruClient({
    resolver,
    concurrency: p.concurrency,
    cacheSize: p.cache_size,
    cacheTtl: p.cache_ttl,
    negativeTtl: p.negative_ttl,
    onQuery: () => ctx.count("dns queries"),
    onError: (name, err) => {
      ctx.count("dns errors");
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      ctx.log.warn({ name, code }, "DNS lookup failed; event passed on without it");
      ctx.warn(`DNS lookup of ${name} failed (${code}); events pass on without its facts`);
    },
  });
  return { client, resolver };
}

export const asn = defineBot({
  name: "asn",
  kind: "handler",
  description:
    "Adds asn, bgp prefix, cc, registry and as name for IP addresses, from Team Cymru over DNS or an offline routing table.",
  params,
  async start(ctx) {
    const pipe = new Pipeline<Event | undefined>(
      ctx.params.concurrency,
      (out) => (out ? ctx.emit(out) : Promise.resolve()),
      (err) => {
        ctx.count("errors");
        ctx.log.error({ err }, "emit failed");
      },
    );
    if (ctx.params.source === "table") {
      const table = await openTable(ctx);
      const lookup = (addrs: Addr[]) =>
        merge(
          ctx,
          addrs.map((a) => table.lookup(a)),
        );
      states.set(ctx, { lookup, pipe, table, close: () => table.close() });
      return;
    }
    const { client, resolver } = openCymru(ctx);
    const lookup = (addrs: Addr[]): Event | Promise<Event> => {
      const hits = addrs.map((a) => client.cached(a));
      if (hits.every((h) => h !== undefined)) return merge(ctx, hits);
      const all = addrs.map((a, i): Promise<Event> => {
        const hit = hits[i];
        return hit ? Promise.resolve(hit) : client.lookup(a);
      });
      return Promise.all(all).then((facts) => merge(ctx, facts));
    };
    states.set(ctx, { lookup, pipe, cymru: client, close: () => resolver.cancel() });
  },
  async stop(ctx) {
    const state = states.get(ctx);
    await state?.pipe.drain();
    state?.close();
  },
  async handle(event, ctx) {
    const state = states.get(ctx);
    if (!state) throw new Error("asn: handle() before start()");
    const p = ctx.params;
    const addrs = addresses(event, ctx);
    const facts = addrs.length === 0 ? new Event() : state.lookup(addrs);
    if (!(facts instanceof Promise) && state.pipe.idle) return expertOutput(event, facts, p);
    // Answers still to come: emitted in arrival order when ready (see pipeline.ts).
    await state.pipe.push(Promise.resolve(facts).then((f) => expertOutput(event, f, p)));
    return undefined;
  },
});
