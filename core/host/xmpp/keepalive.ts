/** When to probe a silent stream, and how long to wait for any answer. */
export interface KeepaliveOptions {
  /** Probe after this long without hearing anything from the server (default 60 s). */
  intervalMs?: number;
  /** Give the stream up when nothing at all arrives this long after a probe (default 20 s). */
  timeoutMs?: number;
}

/**
 * Notices a dead stream that TCP has not reported yet (peer gone without a FIN, NAT timeout):
 * after a silence it sends a probe (an XEP-0199 ping), and declares the stream dead when nothing
 * at all comes back in time. Anything heard counts, so a busy stream is never probed.
 */
export class Keepalive {
  #lastHeard = 0;
  #probeSentAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly probe: () => void,
    private readonly dead: () => void,
    private readonly opts: KeepaliveOptions = {},
  ) {}

  start(): void {
    this.stop();
    this.heard();
    const { interval, timeout } = this.#limits();
    this.#timer = setInterval(() => this.#tick(), Math.min(interval, timeout) / 2).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The server said something: the stream is alive. */
  heard(): void {
    this.#lastHeard = Date.now();
    this.#probeSentAt = 0;
  }

  #tick(): void {
    const now = Date.now();
    const { interval, timeout } = this.#limits();
    if (this.#probeSentAt > 0) {
      if (now - this.#probeSentAt < timeout) return;
      this.stop();
      this.dead();
    } else if (now - this.#lastHeard >= interval) {
      this.#probeSentAt = now;
      this.probe();
    }
  }

  #limits(): { interval: number; timeout: number } {
    return { interval: this.opts.intervalMs ?? 60_000, timeout: this.opts.timeoutMs ?? 20_000 };
  }
}
