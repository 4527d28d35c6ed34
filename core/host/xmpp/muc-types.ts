import type { Logger } from "pino";
import type { Element } from "@xmpp/xml";
import type { StanzaLink } from "./link.js";
import type { IqCaller } from "./iq.js";
import type { HistoryRequest } from "./muc-stanzas.js";
import type { StanzaErrorInfo } from "./stanza-error.js";

// What the MUC layer hands out: join options and results, and the messages it delivers.

export interface JoinOptions {
  nick?: string;
  /** Ask for this much history on join and deliver `<delay/>`-stamped messages (default: none). */
  history?: HistoryRequest;
  /**
   * On a rejoin after a drop, ask the room for what was said since shortly before we last heard
   * from it (XEP-0045 §7.2.13 `since`) and deliver those replays: a best-effort bridge over the
   * gap, bounded by the room's history size. Duplicates are possible (receivers dedup by id).
   */
  catchUp?: boolean;
  /** When we create the room, make occupants' real JIDs visible to all (default true). */
  nonAnonymous?: boolean;
}

export interface JoinResult {
  room: string;
  /** The nick we got, maybe suffixed after a conflict. */
  nick: string;
  /** We created the room (XEP-0045 status 201). */
  created: boolean;
  /** Real JIDs are visible to every occupant (status 100, or our config was accepted). */
  nonAnonymous: boolean;
  /** Our affiliation (XEP-0045 §5.2) as our self-presence states it: `owner` when we made it. */
  affiliation?: string;
}

/** We joined under another nick than ours: someone else holds or has registered ours. */
export interface NickTaken {
  room: string;
  /** The nick we asked for. */
  wanted: string;
  /** The nick we got. */
  nick: string;
  /** Real bare JID of the occupant holding `wanted`, when the room shows it. */
  holder?: string;
}

/** A groupchat message from an occupant of a room we are in. */
export interface RoomMessage {
  room: string;
  nick: string;
  /** The sender's real bare JID when the room shows it. */
  realJid?: string;
  /** Our own message reflected back by the room. */
  self: boolean;
  /** A history replay (XEP-0203 `<delay/>`), delivered only when the join asked for history. */
  delayed: boolean;
  stanza: Element;
}

/** A one-to-one message: from a room occupant (XEP-0045 §7.5) or any JID. */
export interface PrivateMessage {
  from: string;
  body: string;
  room?: string;
  nick?: string;
  realJid?: string;
  /** Stamped with `<delay/>` (XEP-0203): stored while we were offline, not said just now. */
  delayed: boolean;
  stanza: Element;
}

export interface MessageError {
  room: string;
  id: string | undefined;
  error: StanzaErrorInfo;
}

export interface MucEvents {
  groupchat: [message: RoomMessage];
  chat: [message: PrivateMessage];
  joined: [result: JoinResult];
  "nick-taken": [info: NickTaken];
  /** We are out of the room (connection lost, kicked, room destroyed); a rejoin may follow. */
  left: [room: string, reason: string];
  "message-error": [info: MessageError];
}

export interface MucOptions {
  connection: StanzaLink;
  iq: IqCaller;
  /** MUC service short room names resolve against, e.g. `rooms.localhost`. */
  service: string;
  /** Our nick in every room unless a join names another. */
  nick: string;
  log: Logger;
  /** Presence status text shown in every room. */
  status?: string;
  /** A join not confirmed within this long fails (first join) or is retried (rejoin). */
  joinTimeoutMs?: number;
  /** How many suffixed nicks to try after a 409 conflict (default 9: nick_2 … nick_10). */
  maxNickRetries?: number;
  /** Wait between rejoin attempts of a room we were removed from (default 2 s). */
  rejoinDelayMs?: number;
}
