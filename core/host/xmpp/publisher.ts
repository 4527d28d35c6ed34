import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Element } from "@xmpp/xml";
import type { Event } from "../../sdk/event.js";
import { encodeMessage, MessagePacker, type CodecStats, type WireForm } from "../wire/index.js";
import { EventTooLargeError } from "../wire/packer.js";
import type { StanzaLink } from "./connection.js";
import { StoppedError, XmppError } from "./errors.js";
import type { MessageError, Muc, RoomMessage } from "./muc.js";
import { Outbox, type OutboxEntry } from "./outbox.js";
import { reflectedId, stampMessage, STAMP_BYTES } from "./stamp.js";

export interface PublisherOptions {
  link: StanzaLink;
  muc: Muc;
  log: Logger;
  /** Form per room (bare JID or short name); others get `defaultForm`. */
  rooms?: Record<string, { form: WireForm }>;
  defaultForm?: WireForm;
  /** Events accepted but not yet reflected before `publish()` waits (default 5000). */
  window?: number;
  /** Largest compact message in bytes (default 64 KiB; Prosody's stanza limit is 256 KiB). */
  budgetBytes?: number;
  /** How long a compact batch waits for more events (default 5 ms). */
  lingerMs?: number;
  /** Spool file for the outbox (JSON lines); without one, accepted events live in memory only. */
  spoolFile?: string;
  /** Re-send a message the room has not reflected after this long (default 60 s). */
  resendAfterMs?: number;
  stats?: CodecStats;
  /**
   * Ask the room to keep our messages in its history and archive (XEP-0334 `<store/>`; default
   * true). Compact batches have no `<body>`, and servers archive only messages with one unless
   * hinted, yet consumers catch up from the archive. Archiving costs server time.
   */
  archive?: boolean;
  /**
   * An accepted event that can never be sent: over the budget when re-read from the spool (the
   * budget was lowered), or in a message the room refused for good. Default: logged only.
   */
  onDead?(event: Event, room: string, reason: string): void;
}

/** Counters of one output room. */
export interface PublishCounters {
  eventsOut: number;
  messagesOut: number;
  resent: number;
  /** Events accepted and not yet reflected. */
  inFlight: number;
  /** Messages the room refused for good (their events are dropped and logged). */
  rejected: number;
}

interface Sealed {
  id: string;
  room: string;
  seqs: number[];
  stanza: Element;
  sends: number;
  sentAt: number;
}

interface RoomOut {
  room: string;
  form: WireForm;
  packer: MessagePacker;
  pending: number[];
  linger: NodeJS.Timeout | undefined;
  sealed: Map<string, Sealed>;
  counters: PublishCounters;
}

/**
 * At-least-once publishing to rooms (DESIGN.md "Delivery"): a message is delivered when the
 * room reflects it back; until then it stays in the outbox and is re-sent after a rejoin.
 * A bounded in-flight window makes `publish()` wait when full.
 */
export class Publisher {
  readonly #rooms = new Map<string, RoomOut>();
  readonly #byId = new Map<string, Sealed>();
  readonly #outbox: Outbox;
  readonly #waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  readonly #drained: (() => void)[] = [];
  readonly #forms = new Map<string, WireForm>();
  #reserved = 0;
  #started = false;
  #stopped = false;
  #resendTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: PublisherOptions) {
    this.#outbox = new Outbox({
      log: opts.log,
      ...(opts.spoolFile ? { file: opts.spoolFile } : {}),
    });
    for (const [name, s] of Object.entries(opts.rooms ?? {}))
      this.#forms.set(opts.muc.resolve(name), s.form);
    opts.muc.on("groupchat", (m) => this.#onReflection(m));
    opts.muc.on("joined", ({ room }) => this.#sendAll(room));
    opts.muc.on("message-error", (e) => this.#onError(e));
  }

  /** Load what a previous run left in the spool and send it once its rooms are joined. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const owed = this.#outbox.open();
    for (const entry of owed) {
      try {
        this.#pack(entry);
      } catch (err) {
        const reason = (err as Error).message;
        if (this.opts.onDead) this.opts.onDead(entry.event, entry.room, reason);
        else this.opts.log.error({ room: entry.room, reason }, "a spooled event cannot be sent");
      }
    }
    for (const r of this.#rooms.values()) this.#seal(r);
    if (owed.length > 0)
      this.opts.log.info({ events: owed.length }, "re-sending events from the outbox spool");
    const every = this.opts.resendAfterMs ?? 60_000;
    this.#resendTimer = setInterval(
      () => this.#resendStale(every),
      Math.max(every / 4, 10),
    ).unref();
  }

  /** Accept an event for a room; waits while the in-flight window is full (back-pressure). */
  async publish(roomName: string, event: Event): Promise<void> {
    if (this.#stopped) throw new StoppedError("publisher");
    // Before start() the spool is not open: accepting would promise durability we lack.
    if (!this.#started) throw new XmppError("publisher not started: call start() first");
    const room = this.opts.muc.resolve(roomName);
    if (this.#waiters.length > 0 || this.#outbox.size + this.#reserved >= this.#window) {
      await new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
      this.#reserved--;
    }
    this.#pack(this.#outbox.add(room, event));
  }

  /** Seal every batch now instead of after the linger time. */
  flush(): void {
    for (const r of this.#rooms.values()) this.#seal(r);
  }

  /** Resolves when every accepted event has been reflected. */
  drain(): Promise<void> {
    this.flush();
    if (this.#outbox.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  get inFlight(): number {
    return this.#outbox.size;
  }

  /** Counters per room (bare JID). */
  counters(): Record<string, PublishCounters> {
    return Object.fromEntries([...this.#rooms].map(([room, r]) => [room, { ...r.counters }]));
  }

  /** Stop sending; what is not reflected stays in the spool for the next start. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#resendTimer);
    for (const r of this.#rooms.values()) clearTimeout(r.linger);
    for (const w of this.#waiters.splice(0)) w.reject(new StoppedError("publisher"));
    this.#outbox.close();
  }

  get #window(): number {
    return this.opts.window ?? 5000;
  }

  #room(room: string): RoomOut {
    let r = this.#rooms.get(room);
    if (r !== undefined) return r;
    const budgetBytes = this.opts.budgetBytes ?? 64 * 1024;
    r = {
      room,
      form: this.#forms.get(room) ?? this.opts.defaultForm ?? "compact",
      packer: new MessagePacker({
        to: room,
        budgetBytes,
        reserveBytes: STAMP_BYTES,
        ...(this.opts.stats ? { stats: this.opts.stats } : {}),
      }),
      pending: [],
      linger: undefined,
      sealed: new Map(),
      counters: { eventsOut: 0, messagesOut: 0, resent: 0, inFlight: 0, rejected: 0 },
    };
    this.#rooms.set(room, r);
    this.opts.muc.join(room).catch((err: unknown) => {
      this.opts.log.error({ err, room }, "cannot join output room; its events wait in the outbox");
    });
    return r;
  }

  #pack(entry: OutboxEntry): void {
    const r = this.#room(entry.room);
    r.counters.inFlight++;
    if (r.form === "legacy") {
      const stats = this.opts.stats;
      const message = encodeMessage(r.room, [entry.event], {
        form: "legacy",
        ...(stats ? { stats } : {}),
      });
      // One event a message, so one size check a message: over the budget the server would
      // end our stream (and every re-send would again), so the caller hears instead.
      const bytes = Buffer.byteLength(message.toString()) + STAMP_BYTES;
      const budget = this.opts.budgetBytes ?? 64 * 1024;
      if (bytes > budget) {
        this.#ack(r, [entry.seq]);
        throw new EventTooLargeError(entry.event, bytes, budget);
      }
      this.#addSealed(r, message, [entry.seq]);
      return;
    }
    let done: Element[];
    try {
      done = r.packer.add(entry.event);
    } catch (err) {
      // EventTooLargeError: one event alone is over the budget. Forget it; the caller hears.
      this.#ack(r, [entry.seq]);
      throw err;
    }
    for (const message of done) this.#addSealed(r, message, r.pending.splice(0));
    r.pending.push(entry.seq);
    r.linger ??= setTimeout(() => this.#seal(r), this.opts.lingerMs ?? 5);
  }

  #seal(r: RoomOut): void {
    clearTimeout(r.linger);
    r.linger = undefined;
    const message = r.packer.flush();
    if (message !== undefined) this.#addSealed(r, message, r.pending.splice(0));
  }

  #addSealed(r: RoomOut, message: Element, seqs: number[]): void {
    const id = randomUUID();
    const sealed: Sealed = {
      id,
      room: r.room,
      seqs,
      stanza: stampMessage(message, id, this.opts.archive ?? true),
      sends: 0,
      sentAt: 0,
    };
    r.sealed.set(id, sealed);
    this.#byId.set(id, sealed);
    this.#send(r, sealed);
  }

  #send(r: RoomOut, s: Sealed): void {
    if (this.#stopped || !this.opts.link.online || !this.opts.muc.isJoined(r.room)) return;
    s.sends++;
    s.sentAt = Date.now();
    if (s.sends === 1) {
      r.counters.messagesOut++;
      r.counters.eventsOut += s.seqs.length;
    } else r.counters.resent++;
    // A failed write is fine: the message stays sealed and goes again after the rejoin.
    this.opts.link.send(s.stanza).catch((err: unknown) => {
      this.opts.log.debug({ err, room: r.room }, "send failed; will re-send after reconnect");
    });
  }

  /** After a (re)join: everything owed to the room goes (again), oldest first. */
  #sendAll(room: string): void {
    const r = this.#rooms.get(room);
    if (r !== undefined) for (const s of r.sealed.values()) this.#send(r, s);
  }

  #resendStale(afterMs: number): void {
    const now = Date.now();
    for (const r of this.#rooms.values()) {
      for (const s of r.sealed.values())
        if (s.sends > 0 && now - s.sentAt >= afterMs) this.#send(r, s);
    }
  }

  #onReflection(m: RoomMessage): void {
    const id = reflectedId(m.stanza);
    const s = id === undefined ? undefined : this.#byId.get(id);
    if (s === undefined || s.room !== m.room) return;
    this.#forget(s);
  }

  #onError({ room, id, error }: MessageError): void {
    const s = id === undefined ? undefined : this.#byId.get(id);
    if (s === undefined || s.room !== room) return;
    // not-acceptable: we are out of the room; the MUC rejoins and we re-send. "wait": later.
    if (error.condition === "not-acceptable" || error.type === "wait") {
      this.opts.log.debug({ room, error }, "room bounced a message; it will be re-sent");
      return;
    }
    const r = this.#rooms.get(room);
    if (r !== undefined) r.counters.rejected++;
    const reason = `the room refused the message: ${error.condition}${error.text ? ` (${error.text})` : ""}`;
    if (this.opts.onDead) {
      const seqs = new Set(s.seqs);
      for (const e of this.#outbox.entries())
        if (seqs.has(e.seq)) this.opts.onDead(e.event, room, reason);
    } else
      this.opts.log.error(
        { room, error, events: s.seqs.length },
        `${reason}; its events are dropped`,
      );
    this.#forget(s);
  }

  #forget(s: Sealed): void {
    const r = this.#rooms.get(s.room);
    this.#byId.delete(s.id);
    if (r === undefined) return;
    r.sealed.delete(s.id);
    this.#ack(r, s.seqs);
  }

  #ack(r: RoomOut, seqs: number[]): void {
    this.#outbox.ack(seqs);
    r.counters.inFlight -= seqs.length;
    while (this.#waiters.length > 0 && this.#outbox.size + this.#reserved < this.#window) {
      this.#reserved++;
      this.#waiters.shift()?.resolve();
    }
    if (this.#outbox.size === 0) for (const done of this.#drained.splice(0)) done();
  }
}
