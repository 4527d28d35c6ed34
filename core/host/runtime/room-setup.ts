import type { Logger } from "pino";
import {
  bareJid,
  IqError,
  listAffiliation,
  registerNick,
  setAffiliation,
  type IqCaller,
  type JoinResult,
  type Muc,
  type NickTaken,
} from "../xmpp/index.js";

export interface RoomSetupParts {
  muc: Muc;
  iq: IqCaller;
  log: Logger;
  /** The MUC service (where ejabberd registers nicks). */
  service: string;
  /** Our bare JID. */
  self: string;
  /** Every bot of the mesh: bare JID → its nick (the instance id). */
  bots: ReadonlyMap<string, string>;
  /** Bare JIDs of the admins in config. */
  admins: readonly string[];
  /** Tell the operators (the lobby) and the log. */
  warn(message: string): void;
}

/**
 * What a bot does in the rooms it joins (issue 10, "Operators in their client"):
 * - reserve its nick (XEP-0045 §7.10), so that while it is away (restarting) no other account
 *   can join as it and be asked the operators' questions;
 * - in rooms it owns (it made them): admins become owners, so an operator is not a plain
 *   participant beside a moderator bot; the mesh's other bots become members with their nick
 *   reserved (Prosody stores the nick of a muc#admin item; that also covers bots that have
 *   not joined yet);
 * - when it had to take another nick, say who holds its own.
 * Each room once per process: a rejoin after a reconnect finds it all in place.
 */
export function setUpRooms(p: RoomSetupParts): void {
  const done = new Set<string>();
  p.muc.on("joined", (r) => {
    if (done.has(r.room)) return;
    done.add(r.room);
    void setUpRoom(p, r).catch((err: unknown) => {
      p.log.warn({ err, room: r.room }, "room setup failed");
    });
  });
  p.muc.on("nick-taken", (t) => p.warn(nickTakenText(t)));
}

export function nickTakenText(t: NickTaken): string {
  const who = t.holder ?? "an account the room does not name (registered or hidden)";
  return `my nick ${t.wanted} in ${t.room} is taken by ${who}; I am ${t.nick} there until it is free and I restart`;
}

async function setUpRoom(p: RoomSetupParts, r: JoinResult): Promise<void> {
  if (r.created || r.affiliation === "owner") await grant(p, r);
  const nick = p.bots.get(p.self);
  if (nick === undefined || r.nick !== nick) return; // another bot holds it: reported already
  try {
    const where = await registerNick(p.iq, r.room, p.service, nick);
    p.log.debug({ room: r.room, nick, where }, "nick registered");
  } catch (err) {
    const condition = err instanceof IqError ? err.condition : undefined;
    // Prosody without allow_unaffiliated_register: only affiliated JIDs may register. The
    // room's owner (the bot that made it) reserves every bot's nick; say it once in the log.
    p.log.info(
      { room: r.room, nick, condition },
      "could not register our nick in this room; another account could take it while we are away",
    );
  }
}

/** We own the room: admins to owner, the other bots to member with their nick reserved. */
async function grant(p: RoomSetupParts, r: JoinResult): Promise<void> {
  // A room we did not just make may list others above member: never demote them.
  const owners = new Set(r.created ? [p.self] : await listAffiliation(p.iq, r.room, "owner"));
  const ranked = new Set(r.created ? owners : await listAffiliation(p.iq, r.room, "admin"));
  for (const jid of owners) ranked.add(jid);
  const admins = p.admins.map((jid) => bareJid(jid));
  const items = [
    ...admins
      .filter((jid) => !owners.has(jid))
      .map((jid) => ({ jid, affiliation: "owner" as const })),
    ...[...p.bots]
      .filter(([jid]) => !ranked.has(jid) && !admins.includes(jid))
      .map(([jid, nick]) => ({ jid, affiliation: "member" as const, nick })),
  ];
  for (const item of items) {
    try {
      await setAffiliation(p.iq, r.room, item);
    } catch (err) {
      p.log.warn({ err, room: r.room, ...item }, "could not set an affiliation in our room");
    }
  }
  if (items.length > 0) p.log.debug({ room: r.room, items: items.length }, "room affiliations set");
}
