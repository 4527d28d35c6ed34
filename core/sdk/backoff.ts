/**
 * The mesh's one backoff: exponential, capped, jittered so that many clients (bots after a
 * server restart, instances after a crash) do not all come back at once. Used for XMPP
 * reconnects, catch-up and handler retries, and (as Backoff) the supervisor's restarts.
 */
export interface BackoffOptions {
  /** First delay in ms (default 250). */
  initial?: number;
  /** Largest delay in ms (default 30 000). */
  max?: number;
  /** Random source in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/** Delay before reconnect attempt `attempt` (0-based): uniform in [base/2, base). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initial ?? 250;
  const max = opts.max ?? 30_000;
  const random = opts.random ?? Math.random;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Restart delays that grow while a process keeps crashing, and reset once it has run well. */
export interface RestartBackoffOptions {
  /** First delay, ms. */
  initial: number;
  /** Largest delay, ms. */
  max: number;
  /** A run at least this long (ms) counts as healthy: the next crash starts from `initial`. */
  healthyAfter: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: RestartBackoffOptions = {
  initial: 1000,
  max: 60_000,
  healthyAfter: 60_000,
};

export class Backoff {
  #attempt = 0;

  constructor(private readonly opts: RestartBackoffOptions = DEFAULT_BACKOFF) {}

  /** Delay before the next restart, given how long the last run lasted. */
  delayAfter(ranMs: number): number {
    if (ranMs >= this.opts.healthyAfter) this.#attempt = 0;
    return backoffDelay(this.#attempt++, this.opts);
  }
}
