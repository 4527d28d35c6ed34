import { createHash } from "node:crypto";

/** What an event can be built from: another event, a plain object or key/value pairs. */
export type EventInit =
  | Event
  | Readonly<Record<string, string | readonly string[]>>
  | Iterable<readonly [string, string | readonly string[]]>;

/** A plain JSON shape of an event: each key to its values (AbuseHelper sender/receiver format). */
export type EventJson = Record<string, string[]>;

const SEP = Buffer.from([0xc0]);

/**
 * An abuse event: a bag mapping keys to *sets* of string values (AbuseHelper semantics).
 * Values are unordered and unique; a key without values does not exist.
 */
export class Event {
  readonly #attrs = new Map<string, Set<string>>();

  constructor(...inits: EventInit[]) {
    for (const init of inits) this.#merge(init);
  }

  #merge(init: EventInit): void {
    if (init instanceof Event) {
      for (const [key, values] of init.#attrs) this.update(key, values);
      return;
    }
    const entries = Symbol.iterator in init ? init : Object.entries(init);
    for (const [key, values] of entries as Iterable<[string, string | readonly string[]]>) {
      this.update(key, typeof values === "string" ? [values] : values);
    }
  }

  /** Parse the JSON shape `{"key": "v"}` or `{"key": ["v", ...]}`; throws on any other type. */
  static fromJson(obj: unknown): Event {
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new TypeError("expected a JSON object of key to string or list of strings");
    }
    const event = new Event();
    for (const [key, raw] of Object.entries(obj as Record<string, unknown>)) {
      const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
      for (const value of values) {
        if (typeof value !== "string") {
          throw new TypeError(
            `key ${JSON.stringify(key)}: expected a string, got ${typeOf(value)}`,
          );
        }
        event.add(key, value);
      }
    }
    return event;
  }

  /** Add value(s) for a key; pairs already present are ignored. */
  add(key: string, ...values: string[]): this {
    return this.update(key, values);
  }

  /** Add all values for a key. Adding no values leaves the event unchanged. */
  update(key: string, values: Iterable<string>): this {
    let set = this.#attrs.get(key);
    for (const value of values) {
      if (set === undefined) {
        set = new Set();
        this.#attrs.set(key, set);
      }
      set.add(value);
    }
    return this;
  }

  /** Remove some values of a key; missing values are ignored. */
  discard(key: string, ...values: string[]): this {
    const set = this.#attrs.get(key);
    if (set === undefined) return this;
    for (const value of values) set.delete(value);
    if (set.size === 0) this.#attrs.delete(key);
    return this;
  }

  /** Remove every value of a key. */
  clear(key: string): this {
    this.#attrs.delete(key);
    return this;
  }

  /** Values of one key, or of every key (unique) when no key is given. */
  values(key?: string): string[] {
    if (key !== undefined) return [...(this.#attrs.get(key) ?? [])];
    const all = new Set<string>();
    for (const set of this.#attrs.values()) for (const value of set) all.add(value);
    return [...all];
  }

  /** One value of a key (or of any key), or `fallback` when there is none. */
  value(key?: string): string | undefined;
  value<T>(key: string | undefined, fallback: T): string | T;
  value<T>(key?: string, fallback?: T): string | T | undefined {
    const sets = key === undefined ? this.#attrs.values() : [this.#attrs.get(key) ?? new Set()];
    for (const set of sets) for (const value of set) return value;
    return fallback;
  }

  /** Whether the event has any pair; with a key, any value of it; with both, that pair. */
  contains(key?: string, value?: string): boolean {
    if (key === undefined) {
      if (value === undefined) return this.#attrs.size > 0;
      for (const set of this.#attrs.values()) if (set.has(value)) return true;
      return false;
    }
    const set = this.#attrs.get(key);
    if (set === undefined) return false;
    return value === undefined || set.has(value);
  }

  /** Keys that have at least one value. */
  keys(): string[] {
    return [...this.#attrs.keys()];
  }

  /** Every (key, value) pair, in no particular order. */
  *items(): IterableIterator<[string, string]> {
    for (const [key, set] of this.#attrs) for (const value of set) yield [key, value];
  }

  /** Live view of the key → values map, for read-only hot paths (matchers, codecs). */
  entries(): IterableIterator<[string, ReadonlySet<string>]> {
    return this.#attrs.entries();
  }

  /** Values of one key as a set view, or undefined when the key is absent. */
  valueSet(key: string): ReadonlySet<string> | undefined {
    return this.#attrs.get(key);
  }

  /** Number of keys. */
  get size(): number {
    return this.#attrs.size;
  }

  /** A new event with the pairs of this one and of all `others`. */
  union(...others: EventInit[]): Event {
    return new Event(this, ...others);
  }

  /** A new event with the pairs of this one that are in none of `others`. */
  difference(...others: EventInit[]): Event {
    const other = new Event(...others);
    const result = new Event();
    for (const [key, set] of this.#attrs) {
      const drop = other.#attrs.get(key);
      for (const value of set) if (drop === undefined || !drop.has(value)) result.add(key, value);
    }
    return result;
  }

  /** Same pairs, whatever the order they were added in. */
  equals(other: Event): boolean {
    if (this.#attrs.size !== other.#attrs.size) return false;
    for (const [key, set] of this.#attrs) {
      const theirs = other.#attrs.get(key);
      if (theirs === undefined || theirs.size !== set.size) return false;
      for (const value of set) if (!theirs.has(value)) return false;
    }
    return true;
  }

  /** Pairs sorted by key then value in code point order, as AbuseHelper (Python) sorts them. */
  sortedItems(): [string, string][] {
    const keys = [...this.#attrs.keys()].sort(compareCodePoints);
    const out: [string, string][] = [];
    for (const key of keys) {
      const values = [...(this.#attrs.get(key) ?? [])].sort(compareCodePoints);
      for (const value of values) out.push([key, value]);
    }
    return out;
  }

  /**
   * The AbuseHelper content hash: SHA-1 over the sorted pairs, each fed as
   * `utf8(key) 0xC0 utf8(value) 0xC0` (abusehelper/core/events.py `Event.__hash__`).
   * Storage and dedup key on it, so a replayed event is recognised.
   */
  id(): string {
    const sha = createHash("sha1");
    for (const [key, value] of this.sortedItems()) {
      sha.update(key, "utf8");
      sha.update(SEP);
      sha.update(value, "utf8");
      sha.update(SEP);
    }
    return sha.digest("hex");
  }

  /** JSON shape with keys and values sorted, so output is stable. */
  toJSON(): EventJson {
    const out: EventJson = {};
    for (const key of [...this.#attrs.keys()].sort(compareCodePoints)) {
      out[key] = [...(this.#attrs.get(key) ?? [])].sort(compareCodePoints);
    }
    return out;
  }

  toString(): string {
    return JSON.stringify(this.toJSON());
  }
}

/**
 * Compare strings by Unicode code point (the order of their UTF-8 bytes), not by UTF-16 code
 * unit as `<` does: the two differ only between astral characters and U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return surrogateRank(x) - surrogateRank(y);
    return x - y;
  }
  return a.length - b.length;
}

// Surrogates (U+D800..U+DFFF) stand for code points above U+FFFF: rank them after U+E000..U+FFFF.
function surrogateRank(unit: number): number {
  return unit <= 0xdfff ? unit + 0x10000 : unit;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value;
}
