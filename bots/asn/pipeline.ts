/**
 * Events whose facts are still being looked up, emitted in arrival order once ready. The runtime
 * hands a handler one event at a time; without this, each uncached lookup would cost a full DNS
 * round trip of the whole bot. At most `window` events wait; push() blocks beyond that, which
 * gives the runtime's input back-pressure.
 */
export class Pipeline<T> {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  readonly #slots: (() => void)[] = [];

  constructor(
    private readonly window: number,
    private readonly emit: (item: T) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Whether nothing waits: an event ready now may go out directly without overtaking. */
  get idle(): boolean {
    return this.#pending === 0;
  }

  async push(item: Promise<T>): Promise<void> {
    this.#pending++;
    this.#tail = this.#tail
      .then(() => item)
      .then((ready) => this.emit(ready))
      .catch(this.onError)
      .finally(() => {
        this.#pending--;
        this.#slots.shift()?.();
      });
    if (this.#pending >= this.window) await new Promise<void>((r) => this.#slots.push(r));
  }

  /** Resolves once every pushed item is emitted (or failed). */
  async drain(): Promise<void> {
    while (this.#pending > 0) await this.#tail;
  }
}
