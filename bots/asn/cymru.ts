/**
 * Team Cymru IP-to-ASN over DNS, as AbuseHelper's cymruwhois.py asks it:
 * TXT `d.c.b.a.origin.asn.cymru.com` (IPv4) or `<reversed nibbles>.origin6.asn.cymru.com`
 * (IPv6) gives `ASNS | prefix | cc | registry | allocated`, then TXT `AS<n>.asn.cymru.com`
 * gives `asn | cc | registry | allocated | name`. Fields "" and "-" mean unknown.
 */
import { Event, reverseName, type Addr } from "../../core/index.js";
import { Limit } from "./limit.js";
import { TtlLru } from "./lru.js";

export interface TxtResolver {
  resolveTxt(name: string): Promise<string[][]>;
}

/** The origin query name of an address. */
export function originName(a: Addr): string {
  return `${reverseName(a)}.origin${a.v === 6 ? "6" : ""}.asn.cymru.com`;
}

/** The fields of each TXT record (its strings joined, as cymruwhois.py does), "-" as "". */
function records(txt: readonly (readonly string[])[]): string[][] {
  return txt.map((strings) => strings.join("").split("|").map(field));
}

const ASN = /^\d+$/;

/**
 * Facts of an origin answer. Several records mean several covering prefixes: the longest is
 * the one routed to; its records' ASNs are all kept (a multi-origin prefix). Null when no
 * record names an AS.
 */
export function parseOrigin(txt: readonly (readonly string[])[]): Event | null {
  let best: { bits: number; recs: string[][] } | undefined;
  for (const rec of records(txt)) {
    const [asns = "", prefix = ""] = rec;
    if (!asns.split(/\s+/).some((a) => ASN.test(a))) continue;
    const bits = Number(prefix.split("/")[1] ?? -1);
    if (best === undefined || bits > best.bits) best = { bits, recs: [rec] };
    else if (bits === best.bits) best.recs.push(rec);
  }
  if (best === undefined) return null;
  const out = new Event();
  for (const [asns = "", prefix = "", cc = "", registry = "", allocated = ""] of best.recs) {
    out.update(
      "asn",
      asns.split(/\s+/).filter((a) => ASN.test(a)),
    );
    if (prefix) out.add("bgp prefix", prefix);
    if (cc) out.add("cc", cc.toUpperCase());
    if (registry) out.add("registry", registry.toLowerCase());
    if (allocated) out.add("bgp prefix allocated", allocated);
  }
  return out;
}

/** Facts of an `AS<n>.asn.cymru.com` answer: `as name`, `as allocated`; null when none. */
export function parseAsName(txt: readonly (readonly string[])[]): Event | null {
  const out = new Event();
  for (const strings of txt) {
    const fields = strings.join("").split("|");
    // asn | cc | registry | allocated | name; the name may itself hold "|".
    const allocated = field(fields[3]);
    const name = field(fields.slice(4).join("|"));
    if (allocated) out.add("as allocated", allocated);
    if (name) out.add("as name", name);
  }
  return out.size === 0 ? null : out;
}

function field(text: string | undefined): string {
  const t = (text ?? "").trim();
  return t === "-" ? "" : t;
}

export interface CymruOptions {
  resolver: TxtResolver;
  concurrency: number;
  cacheSize: number;
  cacheTtl: number;
  negativeTtl: number;
  /** A query that failed (not NXDOMAIN/NODATA): counted and warned by the caller. */
  onError(name: string, err: unknown): void;
  /** A query sent (cache miss). */
  onQuery?(name: string): void;
  now?: () => number;
}

/** Answers meaning "nothing here": cached for negative_ttl. Anything else is an error. */
const NEGATIVE = new Set(["ENOTFOUND", "ENODATA"]);

/**
 * Looks addresses up with a cache (answers for cache_ttl, misses for negative_ttl; errors are
 * not cached), one query per name at a time however many events ask, and at most
 * `concurrency` queries in flight.
 */
export class CymruClient {
  readonly #cache: TtlLru<Event | null>;
  readonly #inflight = new Map<string, Promise<Event | null | undefined>>();
  readonly #limit: Limit;

  constructor(private readonly opts: CymruOptions) {
    this.#cache = new TtlLru(opts.cacheSize, opts.now);
    this.#limit = new Limit(opts.concurrency);
  }

  get peakConcurrency(): number {
    return this.#limit.peak;
  }

  /** The facts for `a` when everything needed is cached, else undefined. */
  cached(a: Addr): Event | undefined {
    const origin = this.#cache.get(originName(a));
    if (origin === undefined) return undefined;
    if (origin === null) return new Event();
    const out = new Event(origin);
    for (const asn of origin.values("asn")) {
      const name = this.#cache.get(asName(asn));
      if (name === undefined) return undefined;
      if (name) out.update("as name", name.values("as name"));
      if (name) out.update("as allocated", name.values("as allocated"));
    }
    return out;
  }

  /** The facts for `a` (none when not found or on errors, which are reported). */
  async lookup(a: Addr): Promise<Event> {
    const origin = await this.#query(originName(a), parseOrigin);
    if (!origin) return new Event();
    const out = new Event(origin);
    const names = await Promise.all(
      origin.values("asn").map((asn) => this.#query(asName(asn), parseAsName)),
    );
    for (const name of names) if (name) out.update("as name", name.values("as name"));
    for (const name of names) if (name) out.update("as allocated", name.values("as allocated"));
    return out;
  }

  /** null: known to have no answer; undefined: failed (not cached). */
  #query(
    name: string,
    parse: (txt: string[][]) => Event | null,
  ): Promise<Event | null | undefined> {
    const hit = this.#cache.get(name);
    if (hit !== undefined) return Promise.resolve(hit);
    let pending = this.#inflight.get(name);
    if (pending === undefined) {
      pending = this.#limit
        .run(() => {
          this.opts.onQuery?.(name);
          return this.opts.resolver.resolveTxt(name);
        })
        .then(
          (txt) => {
            const facts = parse(txt);
            this.#cache.set(name, facts, facts ? this.opts.cacheTtl : this.opts.negativeTtl);
            return facts;
          },
          (err: NodeJS.ErrnoException) => {
            if (NEGATIVE.has(err.code ?? "")) {
              this.#cache.set(name, null, this.opts.negativeTtl);
              return null;
            }
            this.opts.onError(name, err);
            return undefined;
          },
        )
        .finally(() => this.#inflight.delete(name));
      this.#inflight.set(name, pending);
    }
    return pending;
  }
}

function asName(asn: string): string {
  return `AS${asn}.asn.cymru.com`;
}
