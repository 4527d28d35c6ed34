/** An unbounded FIFO read with `for await`; `close()` ends the iteration once drained. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: ((r: IteratorResult<T>) => void) | undefined;
  #closed = false;
  #below: (() => void)[] = [];

  get depth(): number {
    return this.#items.length - this.#head;
  }

  /** Resolves once at most `n` items wait (checked as items are taken). */
  async whenBelow(n: number): Promise<void> {
    while (this.depth > n && !this.#closed) {
      await new Promise<void>((resolve) => this.#below.push(resolve));
    }
  }

  push(item: T): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    this.#items.push(item);
  }

  close(): void {
    this.#closed = true;
    for (const wake of this.#below.splice(0)) wake();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  #shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++] as T;
    if (this.#below.length > 0) for (const wake of this.#below.splice(0)) wake();
    // Compact now and then so a long-lived queue does not keep consumed items.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.depth > 0) return Promise.resolve({ value: this.#shift() as T, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.#waiter = resolve));
      },
    };
  }
}
