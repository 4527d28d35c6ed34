/**
 * DNS lookups for the dnsbl bot: a bounded number in flight, the same name asked once at a
 * time, answers cached (listings for `cacheTtl`, NXDOMAIN and refusals for `negativeTtl`).
 * Failures (SERVFAIL, timeouts) are never cached: the next event asks again.
 */
import { Resolver } from "node:dns/promises";
import { readAnswer, type Reading, type Zone } from "./zones.js";

/** What one query brought back. */
export type QueryOutcome = { kind: "answer"; reading: Reading } | { kind: "error"; error: string };

export interface LookupOptions {
  /** DNS servers (`host` or `host:port`); empty: the system's. */
  servers: readonly string[];
  /** Per try, in ms. */
  timeout: number;
  tries: number;
  concurrency: number;
  cacheTtl: number;
  negativeTtl: number;
  cacheSize: number;
  /** Called once per query that went out, with what came back (for warnings and counters). */
  onAnswer(name: string, zone: Zone, outcome: QueryOutcome): void;
}

// Node's dns error codes (node:dns "Error codes") said as an operator reads them.
const ERRORS: Record<string, string> = {
  ESERVFAIL: "SERVFAIL",
  EREFUSED: "REFUSED by the server",
  ETIMEOUT: "timed out",
  ECONNREFUSED: "connection refused",
};
const NOT_LISTED = new Set(["ENOTFOUND", "ENODATA"]);

/** At most `size` tasks at once; the rest wait in order. */
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async acquire(): Promise<void> {
    if (this.#active < this.size) {
      this.#active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active -= 1;
  }
}

export class Lookup {
  readonly #resolver: Resolver;
  readonly #limit: Limiter;
  readonly #cache = new Map<string, { reading: Reading; expires: number }>();
  readonly #pending = new Map<string, Promise<QueryOutcome>>();

  constructor(readonly opts: LookupOptions) {
    this.#resolver = new Resolver({ timeout: opts.timeout, tries: opts.tries });
    if (opts.servers.length > 0) this.#resolver.setServers([...opts.servers]);
    this.#limit = new Limiter(opts.concurrency);
  }

  /** What is remembered for `name`, or undefined (never asked, failed, or expired). */
  cached(name: string): Reading | undefined {
    const hit = this.#cache.get(name);
    if (hit === undefined) return undefined;
    if (hit.expires > Date.now()) return hit.reading;
    this.#cache.delete(name);
    return undefined;
  }

  async check(name: string, zone: Zone): Promise<QueryOutcome> {
    const reading = this.cached(name);
    if (reading !== undefined) return { kind: "answer", reading };
    let pending = this.#pending.get(name);
    if (pending === undefined) {
      pending = this.#ask(name, zone).finally(() => this.#pending.delete(name));
      this.#pending.set(name, pending);
    }
    return pending;
  }

  async #ask(name: string, zone: Zone): Promise<QueryOutcome> {
    await this.#limit.acquire();
    let outcome: QueryOutcome;
    try {
      outcome = { kind: "answer", reading: readAnswer(await this.#resolver.resolve4(name), zone) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      outcome = NOT_LISTED.has(code)
        ? { kind: "answer", reading: readAnswer([], zone) }
        : { kind: "error", error: ERRORS[code] ?? (err as Error).message };
    } finally {
      this.#limit.release();
    }
    if (outcome.kind === "answer") this.#remember(name, outcome.reading);
    this.opts.onAnswer(name, zone, outcome);
    return outcome;
  }

  #remember(name: string, reading: Reading): void {
    const ttl = reading.listings.length > 0 ? this.opts.cacheTtl : this.opts.negativeTtl;
    if (ttl <= 0) return;
    // Oldest first out: a Map iterates in insertion order.
    while (this.#cache.size >= this.opts.cacheSize) {
      const oldest = this.#cache.keys().next();
      if (oldest.done === true) break;
      this.#cache.delete(oldest.value);
    }
    this.#cache.set(name, { reading, expires: Date.now() + ttl });
  }
}
