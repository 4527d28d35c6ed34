/** Reconnect delays: exponential, capped, jittered so a restarted server is not hit at once. */
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
