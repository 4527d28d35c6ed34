/** Restart delays that grow while a process keeps crashing, and reset once it has run well. */
export interface BackoffOptions {
  /** First delay, ms. */
  initial: number;
  /** Largest delay, ms. */
  max: number;
  /** A run at least this long (ms) counts as healthy: the next crash starts from `initial`. */
  healthyAfter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initial: 1000, max: 60_000, healthyAfter: 60_000 };

export class Backoff {
  #next: number;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.#next = opts.initial;
  }

  /** Delay before the next restart, given how long the last run lasted. */
  delayAfter(ranMs: number): number {
    if (ranMs >= this.opts.healthyAfter) this.#next = this.opts.initial;
    const delay = this.#next;
    this.#next = Math.min(this.#next * 2, this.opts.max);
    return delay;
  }
}
