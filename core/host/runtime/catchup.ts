/**
 * No gap (DESIGN.md, Delivery): every consumer keeps per input room the archive id of the last
 * message fully handled (saved in the state dir), and on every (re)join reads the room archive
 * (MUC MAM, XEP-0313) after it before live messages go on; on its first start it reads back
 * `catch_up` (a maximum age), so events sent before it ever joined are handled too.
 * Live messages that arrive meanwhile wait, and those the archive already gave are dropped.
 * Receivers still dedup by event id: a checkpoint saved a moment late replays a little.
 */
import { readFile } from "node:fs/promises";
import { writeAtomic } from "../../sdk/state-file.js";
import type { Element } from "@xmpp/xml";
import type { Logger } from "pino";
import type { Event } from "../../sdk/event.js";
import { createCodecStats, decodeMessage } from "../wire/index.js";
import { queryArchive, type ArchiveQuery, type XmppStack } from "../xmpp/index.js";
import { backoffDelay } from "../../sdk/backoff.js";
import type { Incoming } from "./drive.js";

const NS_SID = "urn:xmpp:sid:0";
/** A checkpoint that is a time, not an archive id: "everything archived since". */
const SINCE = "since:";

/** The archive id a room stamped on a message (XEP-0359 §3 `<stanza-id by=room>`). */
export function stanzaIdOf(stanza: Element, room: string): string | undefined {
  for (const child of stanza.getChildren("stanza-id", NS_SID)) {
    if (child.attrs.by === room && child.attrs.id !== undefined) return child.attrs.id;
  }
  return undefined;
}

/** Checkpoints per room in one JSON file, written atomically (never half-written). */
export class Checkpoints {
  #data: Record<string, string> = {};
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    private readonly saveEveryMs = 1000,
  ) {}

  async load(): Promise<void> {
    try {
      this.#data = JSON.parse(await readFile(this.file, "utf8")) as Record<string, string>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        this.log.warn({ err, file: this.file }, "checkpoint file unreadable; starting without");
      }
    }
  }

  get(room: string): string | undefined {
    return this.#data[room];
  }

  set(room: string, id: string): void {
    this.#data[room] = id;
    this.#dirty = true;
    this.#timer ??= setTimeout(() => void this.save(), this.saveEveryMs);
  }

  async save(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    try {
      await writeAtomic(this.file, JSON.stringify(this.#data));
    } catch (err) {
      this.log.warn({ err, file: this.file }, "could not save checkpoints");
    }
  }
}

interface RoomState {
  /** Bumped by each catch-up: an older one still running stops. */
  gen: number;
  catching: boolean;
  buffer: { events: Event[]; archiveId: string | undefined }[];
  replayed: Set<string>;
}

export interface CatchUpOptions {
  stack: XmppStack;
  checkpoints: Checkpoints;
  log: Logger;
  /** On the first start, read the archive back this far (ms). */
  maxAgeMs: number;
  /** Our nick in the rooms: our own messages in the archive are not inputs. */
  nick: string;
  /** Where events go (the bot's input queue). */
  push(item: Incoming): void;
  /** Tell the lobby (rate-limited there). */
  warn?(message: string): void;
  /** Resolves when the input queue has room: a long archive is read no faster than handled. */
  room?(): Promise<void>;
}

/**
 * Sits between the subscriber and the bot's input queue. `live()` takes the subscriber's events;
 * `done()` is called once the bot handled an input (see trackHandled) and moves the checkpoint.
 */
export class CatchUp {
  readonly #rooms = new Map<string, RoomState>();
  /** Events of a message not yet handled, by archive id: the checkpoint moves when it is 0. */
  readonly #open = new Map<string, number>();

  constructor(private readonly o: CatchUpOptions) {
    o.stack.muc.on("joined", (r) => {
      if (this.#rooms.has(r.room)) void this.#catchUp(r.room);
    });
    o.stack.muc.on("left", (room) => {
      const s = this.#rooms.get(room);
      if (s) s.catching = true;
    });
  }

  /**
   * Call before joining the room: its live messages wait until its archive is read. A room
   * without a checkpoint gets one at once, `maxAgeMs` back, so a crash before the first message
   * is handled still catches up from there.
   */
  async watch(room: string): Promise<void> {
    this.#rooms.set(room, { gen: 0, catching: true, buffer: [], replayed: new Set() });
    if (this.o.checkpoints.get(room) === undefined) {
      const since = new Date(Date.now() - this.o.maxAgeMs);
      this.o.checkpoints.set(room, `${SINCE}${since.toISOString()}`);
      await this.o.checkpoints.save();
    }
  }

  live(room: string, events: Event[], stanza: Element): void {
    const archiveId = stanzaIdOf(stanza, room);
    const s = this.#rooms.get(room);
    if (s?.catching) s.buffer.push({ events, archiveId });
    else if (!(archiveId !== undefined && s?.replayed.has(archiveId))) {
      this.#deliver(room, events, archiveId);
    }
  }

  /** The bot finished an input; its message's archive id becomes the checkpoint when all done. */
  done(item: Incoming): void {
    const id = item.meta.archiveId;
    if (id === undefined) return;
    const left = (this.#open.get(id) ?? 1) - 1;
    if (left > 0) {
      this.#open.set(id, left);
      return;
    }
    this.#open.delete(id);
    this.o.checkpoints.set(item.meta.room, id);
  }

  #deliver(room: string, events: Event[], archiveId: string | undefined): void {
    if (archiveId !== undefined) {
      this.#open.set(archiveId, (this.#open.get(archiveId) ?? 0) + events.length);
    }
    for (const event of events) {
      this.o.push({ event, meta: { room, ...(archiveId === undefined ? {} : { archiveId }) } });
    }
  }

  async #catchUp(room: string): Promise<void> {
    const s = this.#rooms.get(room);
    if (s === undefined) return;
    const gen = ++s.gen;
    s.catching = true;
    s.replayed.clear();
    const after = this.o.checkpoints.get(room);
    const n = after === undefined ? 0 : await this.#read(room, s, gen, after);
    if (gen !== s.gen) return; // a rejoin started a newer catch-up
    const level = n > 0 ? "info" : "debug";
    this.o.log[level]({ room, after, events: n, waiting: s.buffer.length }, "caught up");
    s.catching = false;
    for (const b of s.buffer.splice(0)) {
      if (b.archiveId !== undefined && s.replayed.has(b.archiveId)) continue;
      this.#deliver(room, b.events, b.archiveId);
    }
  }

  /**
   * Deliver the archive after `after`; a failed read is tried again from the last message
   * delivered (backoff, while the room stays joined). Only a server that cannot answer at all
   * (no archive) makes it give up, and the lobby hears that events may be missing.
   */
  async #read(room: string, s: RoomState, gen: number, after: string): Promise<number> {
    const stats = createCodecStats();
    const { connection, iq } = this.o.stack;
    const own = `${room}/${this.o.nick}`;
    let query: ArchiveQuery = after.startsWith(SINCE)
      ? { start: new Date(after.slice(SINCE.length)) }
      : { after };
    let n = 0;
    for (let attempt = 0; gen === s.gen; attempt++) {
      try {
        for await (const m of queryArchive(connection, iq, room, query)) {
          if (gen !== s.gen) return n;
          s.replayed.add(m.id);
          query = { after: m.id };
          if (m.message.attrs.from === own) continue; // our own output (skipOwn, as live)
          const events = decodeMessage(m.message, stats).filter((e) => e.size > 0);
          if (events.length > 0) this.#deliver(room, events, m.id);
          n += events.length;
          await this.o.room?.();
        }
        return n;
      } catch (err) {
        const condition = (err as { condition?: string }).condition ?? "";
        if (condition === "item-not-found" && query.after !== undefined && n === 0) {
          // XEP-0313 §5.1.2: the checkpoint is no longer in the archive (expired, or the
          // archive was reset): read what it keeps, back to the catch-up age.
          this.o.warn?.(
            `${room}: checkpoint not in the room archive any more; reading its last ${Math.round(this.o.maxAgeMs / 3_600_000)} h`,
          );
          query = { start: new Date(Date.now() - this.o.maxAgeMs) };
          continue;
        }
        if (NO_ARCHIVE.has(condition)) {
          this.o.warn?.(
            `${room}: the server keeps no archive of this room (${condition}); events sent while this bot was away are missing`,
          );
          return n;
        }
        const wait = backoffDelay(attempt, { initial: 1000, max: 30_000 });
        this.o.log.warn(
          { err, room, query, retryInMs: wait },
          "reading the room archive failed; trying again",
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    return n;
  }
}

/** Errors of a server that has no archive for the room: trying again will not help. */
const NO_ARCHIVE = new Set([
  "feature-not-implemented",
  "service-unavailable",
  "not-allowed",
  "forbidden",
]);
