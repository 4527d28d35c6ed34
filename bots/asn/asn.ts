import { Resolver } from "node:dns/promises";
import {
  defineBot,
  missingFiles,
  drop,
  Event,
  expertOutput,
  expertParams,
  param,
  type BotContext,
  type BotDefinition,
  type CheckProblem,
  type Outcome,
  formatAddr,
  isSpecial,
  parseAddr,
  type Addr,
  type ParamValues,
} from "../../core/index.js";
import { CymruClient } from "./cymru.js";
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

/** An instance's source of facts: its routing table or its Cymru client. */
export interface AsnSource {
  table?: TableSource;
  cymru?: CymruClient;
  /** Facts for the addresses: at once when known (cached, or from the table), else later. */
  lookup(addrs: Addr[]): Event | Promise<Event>;
  close(): void;
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

/** The resolver param as node:dns takes it (the parser the bot uses), or why not. */
function resolverProblem(server: string): string | undefined {
  try {
    new Resolver().setServers([server]);
    return undefined;
  } catch {
    return `expected address[:port] ([v6 address]:port), got ${JSON.stringify(server)}`;
  }
}

function check(p: ParamValues<typeof params>): CheckProblem[] {
  const problems: CheckProblem[] = [];
  if (p.source === "table" && p.table.length === 0) {
    problems.push({ key: "table", message: "required with source: table" });
  }
  const bad = p.source === "cymru" && p.resolver ? resolverProblem(p.resolver) : undefined;
  if (bad) problems.push({ key: "resolver", message: bad });
  if (p.source === "table") problems.push(...missingFiles({ table: p.table, names: p.names }));
  return problems;
}

async function openTable(ctx: Ctx): Promise<AsnSource> {
  const p = ctx.params;
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
  const table = await TableSource.open({
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
  return {
    table,
    lookup: (addrs) =>
      merge(
        ctx,
        addrs.map((a) => table.lookup(a)),
      ),
    close: () => table.close(),
  };
}

function openCymru(ctx: Ctx): AsnSource {
  const p = ctx.params;
  const resolver = new Resolver({ timeout: p.timeout, tries: 2 });
  if (p.resolver) resolver.setServers([p.resolver]); // its format was checked by check()
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
  return {
    cymru: client,
    lookup(addrs) {
      const hits = addrs.map((a) => client.cached(a));
      if (hits.every((h) => h !== undefined)) return merge(ctx, hits);
      const all = addrs.map((a, i) => {
        const hit = hits[i];
        return hit ? Promise.resolve(hit) : client.lookup(a);
      });
      return Promise.all(all).then((facts) => merge(ctx, facts));
    },
    close: () => resolver.cancel(),
  };
}

/**
 * The asn bot. `opened`, when given, is told each instance's source as it starts: tests
 * check the table files on demand and read the Cymru client's peak concurrency through it.
 */
export function asnBot(opened?: (source: AsnSource) => void): BotDefinition<typeof params> {
  return defineBot({
    name: "asn",
    kind: "handler",
    description:
      "Adds asn, bgp prefix, cc, registry and as name for IP addresses, from Team Cymru over DNS or an offline routing table.",
    params,
    check,
    // Uncached Cymru lookups wait for DNS: the runtime runs this many events at once and
    // sends them on in input order.
    concurrency: (p) => p.concurrency,
    async start(ctx) {
      const source = ctx.params.source === "table" ? await openTable(ctx) : openCymru(ctx);
      opened?.(source);
      const out = (event: Event, facts: Event): Outcome =>
        expertOutput(event, facts, ctx.params) ?? drop("no facts");
      return {
        handle(event) {
          const addrs = addresses(event, ctx);
          const facts = addrs.length === 0 ? new Event() : source.lookup(addrs);
          // Known at once (cached, or the table): the outcome itself, no promise to wait for.
          if (!(facts instanceof Promise)) return out(event, facts);
          return facts.then((f) => out(event, f));
        },
        stop: () => source.close(),
      };
    },
  });
}

export const asn = asnBot();
