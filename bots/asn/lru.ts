/**
 * A bounded cache with expiry: the least recently used entry goes first when full (a Map keeps
 * insertion order; a hit moves its key to the end). Each entry has its own time to live, so
 * misses can be kept for less time than answers.
 */
export class TtlLru<V> {
  readonly #map = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live value of `key`, or undefined (absent or expired). */
  get(key: string): V | undefined {
    const hit = this.#map.get(key);
    if (hit === undefined) return undefined;
    this.#map.delete(key);
    if (hit.expires <= this.now()) return undefined;
    this.#map.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (this.max <= 0 || ttlMs <= 0) return;
    this.#map.delete(key);
    this.#map.set(key, { value, expires: this.now() + ttlMs });
    if (this.#map.size > this.max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#map.size;
  }
}
