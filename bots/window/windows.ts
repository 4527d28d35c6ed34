/**
 * The open windows of the window bot, kept in one Map in order of expiry: every window has the
 * same length, so a sight (which sets expiry = now + length) always moves its window to the
 * end. The next window to close is the first entry, so one timer serves any number of windows
 * and opening, extending and closing are O(1).
 */
import { Event, type EventJson } from "../../core/index.js";

export interface OpenWindow {
  /** The window's key: the content hash of the event (or of its `keys`). */
  readonly hash: string;
  /** The first event seen, emitted again when the window closes. */
  readonly event: Event;
  /** When the window closes (ms since the epoch): `window` after the last sight. */
  expires: number;
  /** Sights after the first, suppressed. */
  repeats: number;
}

/** The state file's shape. */
export interface SavedWindows {
  version: 1;
  windows: { hash: string; event: EventJson; expires: number; repeats: number }[];
}

export class Windows {
  readonly #open = new Map<string, OpenWindow>();

  get size(): number {
    return this.#open.size;
  }

  /** A sight of `event`: opens a window (true) or extends the open one (false, a repeat). */
  see(hash: string, event: Event, expires: number): boolean {
    const open = this.#open.get(hash);
    if (open === undefined) {
      this.#open.set(hash, { hash, event, expires, repeats: 0 });
      return true;
    }
    // Re-insert to keep expiry order; max() keeps a window from shrinking if the clock steps back.
    this.#open.delete(hash);
    open.expires = Math.max(open.expires, expires);
    open.repeats += 1;
    this.#open.set(hash, open);
    return false;
  }

  /** When the next window closes, or undefined when none is open. */
  nextExpiry(): number | undefined {
    for (const open of this.#open.values()) return open.expires;
    return undefined;
  }

  /** Remove and return the windows that have closed by `now`, oldest first. */
  takeExpired(now: number): OpenWindow[] {
    const closed: OpenWindow[] = [];
    for (const open of this.#open.values()) {
      if (open.expires > now) break;
      closed.push(open);
    }
    for (const open of closed) this.#open.delete(open.hash);
    return closed;
  }

  toJSON(): SavedWindows {
    const windows = [...this.#open.values()].map((w) => ({
      hash: w.hash,
      event: w.event.toJSON(),
      expires: w.expires,
      repeats: w.repeats,
    }));
    return { version: 1, windows };
  }

  /**
   * Windows from a state file. Expiries later than `latest` (the window was made shorter
   * since) are brought down to it, which also keeps the expiry order for new windows.
   * Throws a TypeError naming the first bad entry.
   */
  static fromJSON(data: unknown, latest: number): Windows {
    const saved = data as Partial<SavedWindows> | null;
    if (saved?.version !== 1 || !Array.isArray(saved.windows)) {
      throw new TypeError("not a window state file (version 1)");
    }
    const loaded = saved.windows.map((w, i) => {
      if (typeof w.hash !== "string" || !Number.isFinite(w.expires)) {
        throw new TypeError(`window ${i}: needs a hash and an expiry`);
      }
      const event = Event.fromJson(w.event);
      const repeats = Number.isInteger(w.repeats) ? w.repeats : 0;
      return { hash: w.hash, event, expires: Math.min(w.expires, latest), repeats };
    });
    const windows = new Windows();
    for (const w of loaded.sort((a, b) => a.expires - b.expires)) windows.#open.set(w.hash, w);
    return windows;
  }
}
