import type { Logger } from "pino";
import type { Element } from "@xmpp/xml";
import type { Event } from "../../sdk/event.js";
import { createCodecStats, decodeMessage, EVENT_NS, type CodecStats } from "../wire/index.js";
import type { Muc, RoomMessage } from "./muc.js";

export interface SubscriberOptions {
  muc: Muc;
  log: Logger;
  /** Called with the events of each message from an input room; errors are logged, not thrown. */
  onEvents: (events: Event[], from: RoomMessage) => void | Promise<void>;
  /** Skip messages the room reflects back from us (a bot must not consume its own output). */
  skipOwn?: boolean;
  stats?: CodecStats;
}

/** Counters of one input room. */
export interface SubscribeCounters {
  eventsIn: number;
  /** Messages with a part that could not be decoded (the good events in them still count). */
  malformed: number;
}

const SNIPPET = 300;

/**
 * Decodes events from the groupchat messages of its input rooms (both AbuseHelper forms, any
 * number per message). A malformed stanza is counted, logged the first time per room, and
 * skipped; nothing here throws into the connection.
 */
export class Subscriber {
  readonly #rooms = new Map<string, SubscribeCounters>();
  readonly #stats: CodecStats;

  constructor(private readonly opts: SubscriberOptions) {
    this.#stats = opts.stats ?? createCodecStats();
    opts.muc.on("groupchat", (m) => this.#onMessage(m));
  }

  /** Start reading a room (joins it); resolves when joined. */
  async subscribe(roomName: string): Promise<void> {
    const room = this.opts.muc.resolve(roomName);
    if (!this.#rooms.has(room)) this.#rooms.set(room, { eventsIn: 0, malformed: 0 });
    await this.opts.muc.join(room);
  }

  /** Counters per room (bare JID). */
  counters(): Record<string, SubscribeCounters> {
    return Object.fromEntries([...this.#rooms].map(([room, c]) => [room, { ...c }]));
  }

  #onMessage(m: RoomMessage): void {
    const counters = this.#rooms.get(m.room);
    if (counters === undefined || (m.self && this.opts.skipOwn === true)) return;
    let events: Event[];
    let problem: string | undefined;
    try {
      const skipped = this.#stats.skipped;
      events = decodeMessage(m.stanza, this.#stats);
      if (this.#stats.skipped > skipped) problem = this.#stats.lastProblem ?? "undecodable part";
      else problem = strayChild(m.stanza);
      const empty = events.filter((e) => e.size === 0).length;
      if (empty > 0) {
        problem ??= `${empty} event(s) without any key`;
        events = events.filter((e) => e.size > 0);
      }
    } catch (err) {
      events = [];
      problem = `decoder threw: ${String(err)}`;
    }
    if (problem !== undefined) this.#malformed(m, counters, problem);
    if (events.length === 0) return;
    counters.eventsIn += events.length;
    try {
      const done = this.opts.onEvents(events, m);
      if (done instanceof Promise) {
        done.catch((err: unknown) =>
          this.opts.log.error({ err, room: m.room }, "event handler failed"),
        );
      }
    } catch (err) {
      this.opts.log.error({ err, room: m.room }, "event handler failed");
    }
  }

  #malformed(m: RoomMessage, counters: SubscribeCounters, problem: string): void {
    counters.malformed++;
    if (counters.malformed > 1) return; // DESIGN.md: count it, log it once, and go on
    const text = m.stanza.toString();
    this.opts.log.warn(
      {
        room: m.room,
        nick: m.nick,
        problem,
        stanza: text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text,
      },
      "malformed event message skipped (further ones in this room are only counted)",
    );
  }
}

/** An element of the event namespace that is neither `<e>` nor `<event>`. */
function strayChild(message: Element): string | undefined {
  for (const child of message.children) {
    if (typeof child === "string" || child.getNS() !== EVENT_NS) continue;
    if (child.name !== "e" && child.name !== "event")
      return `unknown element <${child.name}> in ${EVENT_NS}`;
  }
  return undefined;
}
