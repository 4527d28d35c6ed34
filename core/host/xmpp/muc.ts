import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Element } from "@xmpp/xml";
import type { StanzaLink } from "./connection.js";
import { MucJoinError } from "./errors.js";
import { bareJid, resolveRoom, resourceOf } from "./jid.js";
import {
  isDelayed,
  joinPresence,
  leavePresence,
  parseMucPresence,
  removalReason,
  roomConfigIq,
  statusPresence,
  type MucPresence,
} from "./muc-stanzas.js";
import { CATCH_UP_SLACK_MS, newRoom, type Room } from "./muc-room.js";
import type {
  JoinOptions,
  JoinResult,
  MessageError,
  MucEvents,
  MucOptions,
  NickTaken,
  PrivateMessage,
  RoomMessage,
} from "./muc-types.js";
import { stanzaError, type StanzaErrorInfo } from "./stanza-error.js";

export type {
  JoinOptions,
  JoinResult,
  MessageError,
  MucEvents,
  MucOptions,
  NickTaken,
  PrivateMessage,
  RoomMessage,
};

/** Multi-user chat (XEP-0045): joins, rejoins after reconnect, nick conflicts, room messages. */
export class Muc extends EventEmitter<MucEvents> {
  readonly #rooms = new Map<string, Room>();
  readonly #conn: StanzaLink;
  readonly #log: Logger;
  #status: string | undefined;

  constructor(private readonly opts: MucOptions) {
    super();
    this.#conn = opts.connection;
    this.#log = opts.log;
    this.#status = opts.status;
    this.#conn.on("stanza", (stanza) => this.#onStanza(stanza));
    this.#conn.on("online", () => {
      for (const r of this.#rooms.values()) this.#sendJoin(r);
    });
    this.#conn.on("offline", () => {
      for (const r of this.#rooms.values()) this.#out(r, "connection lost");
    });
  }

  /** Bare room JID for a short name or full JID. */
  resolve(name: string): string {
    return resolveRoom(name, this.opts.service);
  }

  /** Join (idempotent); resolves on our self-presence (XEP-0045 §7.2.3 status 110). */
  join(name: string, opts: JoinOptions = {}): Promise<JoinResult> {
    const room = this.resolve(name);
    let r = this.#rooms.get(room);
    if (r?.state === "joined" && r.result) return Promise.resolve(r.result);
    if (r === undefined) {
      const nick = opts.nick ?? this.opts.nick;
      r = newRoom(room, nick, opts);
      this.#rooms.set(room, r);
      if (this.#conn.online) this.#sendJoin(r);
    }
    const target = r;
    return new Promise((resolve, reject) => target.waiters.push({ resolve, reject }));
  }

  /** Leave a room and stop rejoining it. */
  async leave(name: string): Promise<void> {
    const r = this.#rooms.get(this.resolve(name));
    if (r === undefined) return;
    this.#rooms.delete(r.room);
    clearTimeout(r.timer);
    if (r.state !== "pending" && this.#conn.online) {
      await this.#conn.send(leavePresence(r.room, r.nick));
    }
  }

  isJoined(room: string): boolean {
    return this.#rooms.get(room)?.state === "joined";
  }

  /** Our current nick in a room. */
  nickIn(room: string): string | undefined {
    return this.#rooms.get(room)?.nick;
  }

  /** Rooms we are in or want to be in. */
  rooms(): string[] {
    return [...this.#rooms.keys()];
  }

  /** Occupants of a room we are in: nick → real bare JID (when the room shows it). */
  occupants(room: string): ReadonlyMap<string, string | undefined> {
    return this.#rooms.get(room)?.occupants ?? new Map();
  }

  /** Set the presence status text shown in every room (XEP-0045 §7.7). */
  async setStatus(status: string): Promise<void> {
    this.#status = status;
    if (!this.#conn.online) return;
    const joined = [...this.#rooms.values()].filter((r) => r.state === "joined");
    await Promise.all(joined.map((r) => this.#conn.send(statusPresence(r.room, r.nick, status))));
  }

  /** Forget every room; does not send anything (the connection is being stopped). */
  close(): void {
    for (const r of this.#rooms.values()) {
      clearTimeout(r.timer);
      for (const w of r.waiters) w.reject(new MucJoinError(r.room, "gone", "stopped"));
    }
    this.#rooms.clear();
  }

  #sendJoin(r: Room): void {
    clearTimeout(r.timer);
    r.state = "joining";
    r.joinId = randomUUID();
    r.occupants.clear();
    const history =
      r.opts.catchUp === true && r.everJoined
        ? { since: new Date(r.lastSeen - CATCH_UP_SLACK_MS).toISOString().replace(/\.\d+Z$/, "Z") }
        : r.opts.history;
    const presence = joinPresence({
      room: r.room,
      nick: r.nick,
      id: r.joinId,
      ...(this.#status === undefined ? {} : { status: this.#status }),
      ...(history === undefined ? {} : { history }),
    });
    r.timer = setTimeout(() => {
      this.#joinFailed(r, new MucJoinError(r.room, "remote-server-timeout", "no self-presence"));
    }, this.opts.joinTimeoutMs ?? 30_000);
    this.#conn.send(presence).catch((err: unknown) => {
      this.#log.warn({ err, room: r.room }, "could not send MUC join");
    });
  }

  #onStanza(stanza: Element): void {
    const from = stanza.attrs.from ?? "";
    const r = this.#rooms.get(bareJid(from));
    if (stanza.name === "presence" && r !== undefined) {
      const p = parseMucPresence(stanza);
      if (p !== undefined) this.#onPresence(r, p);
    } else if (stanza.name === "message") {
      this.#onMessage(stanza, r);
    }
  }

  #onPresence(r: Room, p: MucPresence): void {
    if (p.type === "error") {
      if (r.state !== "joining") return;
      // XEP-0045 §7.2.9: 409 conflict, the nick is taken by someone else: try a suffixed one.
      if (p.error?.condition === "conflict" && r.conflicts < (this.opts.maxNickRetries ?? 9)) {
        r.conflicts++;
        r.nick = `${r.baseNick}_${r.conflicts + 1}`;
        this.#log.info({ room: r.room, nick: r.nick }, "nick in use; retrying with a suffix");
        this.#sendJoin(r);
        return;
      }
      const e: StanzaErrorInfo = p.error ?? { condition: "undefined-condition", type: "cancel" };
      this.#joinFailed(r, new MucJoinError(r.room, e.condition, e.text));
      return;
    }
    const self = p.codes.has(110);
    if (!self) {
      if (p.type === "available") r.occupants.set(p.nick, p.realJid);
      else r.occupants.delete(p.nick);
      return;
    }
    if (p.type === "unavailable") {
      if (p.codes.has(303)) return; // §7.6.3 nick change: the new self-presence follows
      this.#out(r, removalReason(p.codes));
      if (p.codes.has(301)) {
        this.#log.error({ room: r.room }, "banned from room; not rejoining");
        this.#rooms.delete(r.room);
        return;
      }
      this.#scheduleRejoin(r);
      return;
    }
    if (r.state === "joining") void this.#joined(r, p);
  }

  async #joined(r: Room, p: MucPresence): Promise<void> {
    clearTimeout(r.timer);
    r.state = "joined";
    r.lastSeen = Date.now();
    r.nick = p.nick; // §7.2.11: the service may have changed it (status 210)
    const created = p.codes.has(201);
    let nonAnonymous = p.codes.has(100); // §7.2.5
    if (created) nonAnonymous = await this.#configure(r);
    if (this.#rooms.get(r.room) !== r || r.state !== "joined") return;
    const result: JoinResult = {
      room: r.room,
      nick: r.nick,
      created,
      nonAnonymous,
      ...(p.affiliation === undefined ? {} : { affiliation: p.affiliation }),
    };
    const rejoin = r.everJoined;
    r.everJoined = true;
    r.result = result;
    this.#log.debug({ ...result, rejoin }, "joined room");
    for (const w of r.waiters.splice(0)) w.resolve(result);
    this.emit("joined", result);
    if (!rejoin && r.nick !== r.baseNick) {
      // §7.2.3: the occupants' presences came before ours, so the holder is known if shown.
      const holder = r.occupants.get(r.baseNick);
      const taken = { room: r.room, wanted: r.baseNick, nick: r.nick };
      this.emit("nick-taken", holder === undefined ? taken : { ...taken, holder });
    }
  }

  /**
   * XEP-0045 §10.1.3: we created the room, so we own it; submit its configuration. This also
   * unlocks a room the service holds locked until configured (§10.1.1, ejabberd does).
   */
  async #configure(r: Room): Promise<boolean> {
    const wantOpen = r.opts.nonAnonymous ?? true;
    const fields: Record<string, string> = wantOpen ? { "muc#roomconfig_whois": "anyone" } : {};
    try {
      await this.opts.iq.request(roomConfigIq(r.room, fields, randomUUID()));
      return wantOpen;
    } catch (err) {
      this.#log.warn(
        { err, room: r.room },
        "could not configure the room we created; real JIDs may be hidden",
      );
      return false;
    }
  }

  #joinFailed(r: Room, err: MucJoinError): void {
    clearTimeout(r.timer);
    if (this.#rooms.get(r.room) !== r) return;
    if (!r.everJoined) {
      this.#rooms.delete(r.room);
      for (const w of r.waiters.splice(0)) w.reject(err);
      this.#log.error({ err, room: r.room }, "could not join room");
      return;
    }
    r.state = "pending";
    this.#log.warn({ err, room: r.room }, "rejoin failed; retrying");
    this.#scheduleRejoin(r);
  }

  #out(r: Room, reason: string): void {
    clearTimeout(r.timer);
    const was = r.state;
    if (was === "joined") r.lastSeen = Date.now();
    r.state = "pending";
    r.occupants.clear();
    if (was === "joined") this.emit("left", r.room, reason);
  }

  #scheduleRejoin(r: Room): void {
    clearTimeout(r.timer);
    r.timer = setTimeout(() => {
      if (this.#rooms.get(r.room) === r && this.#conn.online && r.state === "pending")
        this.#sendJoin(r);
    }, this.opts.rejoinDelayMs ?? 2000);
  }

  #onMessage(stanza: Element, r: Room | undefined): void {
    const type = stanza.attrs.type ?? "normal";
    const from = stanza.attrs.from ?? "";
    if (type === "groupchat") {
      if (r === undefined || r.state === "pending") return;
      const nick = resourceOf(from);
      // Room notices (subject, config changes) come from the bare room JID.
      if (nick === "" || (stanza.getChild("subject") && !stanza.getChild("body"))) return;
      const delayed = isDelayed(stanza);
      if (delayed && r.opts.history === undefined && r.opts.catchUp !== true) return;
      if (!delayed) r.lastSeen = Date.now();
      const realJid = r.occupants.get(nick);
      this.emit("groupchat", {
        room: r.room,
        nick,
        self: nick === r.nick,
        delayed,
        stanza,
        ...(realJid === undefined ? {} : { realJid }),
      });
      return;
    }
    if (type === "error") {
      if (r === undefined) return;
      const error = stanzaError(stanza);
      this.emit("message-error", { room: r.room, id: stanza.attrs.id, error });
      // RFC 6120 §8.3.3.10 / XEP-0045 §7.4: the room no longer knows us (restarted, kicked
      // silently): we are out, so rejoin; the publisher re-sends after the rejoin.
      if (r.state === "joined" && error.condition === "not-acceptable") {
        this.#out(r, "not an occupant");
        this.#sendJoin(r);
      }
      return;
    }
    const body = stanza.getChildText("body");
    if ((type === "chat" || type === "normal") && body) {
      const nick = r === undefined ? undefined : resourceOf(from);
      const realJid = nick === undefined ? undefined : r?.occupants.get(nick);
      this.emit("chat", {
        from,
        body,
        stanza,
        delayed: isDelayed(stanza),
        ...(r === undefined ? {} : { room: r.room }),
        ...(nick ? { nick } : {}),
        ...(realJid === undefined ? {} : { realJid }),
      });
    }
  }
}
