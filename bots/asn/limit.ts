/** At most `max` tasks at a time; the rest wait in order. */
export class Limit {
  #active = 0;
  #peak = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((r) => this.#waiting.push(r));
    this.#active++;
    this.#peak = Math.max(this.#peak, this.#active);
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  /** Most tasks that ever ran at once. */
  get peak(): number {
    return this.#peak;
  }
}
