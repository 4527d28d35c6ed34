import { xml, type Element } from "@xmpp/xml";
import { bareJid, resourceOf } from "./jid.js";
import { stanzaError, type StanzaErrorInfo } from "./stanza-error.js";

export const NS_MUC = "http://jabber.org/protocol/muc";
export const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
export const NS_MUC_OWNER = "http://jabber.org/protocol/muc#owner";
export const NS_DATA = "jabber:x:data";
export const NS_DELAY = "urn:xmpp:delay";

/** History to ask for on join (XEP-0045 §7.2.13); none by default. */
export interface HistoryRequest {
  maxstanzas?: number;
  /** XEP-0082 timestamp. */
  since?: string;
}

/**
 * XEP-0045 §7.2.1: presence to room/nick with the MUC `<x/>`. Prosody rejects joins without it;
 * `<history maxstanzas="0"/>` (§7.2.13) keeps the room from replaying its backlog.
 */
export function joinPresence(opts: {
  room: string;
  nick: string;
  id: string;
  status?: string;
  history?: HistoryRequest;
}): Element {
  const history = opts.history ?? { maxstanzas: 0 };
  return xml(
    "presence",
    { to: `${opts.room}/${opts.nick}`, id: opts.id },
    xml(
      "x",
      { xmlns: NS_MUC },
      xml("history", { maxstanzas: history.maxstanzas, since: history.since }),
    ),
    ...(opts.status === undefined ? [] : [xml("status", {}, opts.status)]),
  );
}

/** XEP-0045 §7.7: a presence update to the room (our status text). */
export function statusPresence(room: string, nick: string, status: string): Element {
  return xml("presence", { to: `${room}/${nick}` }, xml("status", {}, status));
}

/** XEP-0045 §7.14: leave. */
export function leavePresence(room: string, nick: string): Element {
  return xml("presence", { to: `${room}/${nick}`, type: "unavailable" });
}

/**
 * XEP-0045 §10.1.3: submit the room configuration form. Ours makes real JIDs visible to all
 * (`muc#roomconfig_whois` = anyone), so the runtime can check who sent `!status`.
 */
export function roomConfigIq(room: string, fields: Record<string, string>, id: string): Element {
  return xml(
    "iq",
    { to: room, type: "set", id },
    xml(
      "query",
      { xmlns: NS_MUC_OWNER },
      xml(
        "x",
        { xmlns: NS_DATA, type: "submit" },
        formField("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig"),
        ...Object.entries(fields).map(([name, value]) => formField(name, value)),
      ),
    ),
  );
}

function formField(name: string, value: string): Element {
  return xml("field", { var: name }, xml("value", {}, value));
}

/** What a presence from a room says about one occupant. */
export interface MucPresence {
  room: string;
  nick: string;
  type: "available" | "unavailable" | "error";
  /** XEP-0045 §15.6 status codes: 110 self, 201 created, 100 non-anonymous, 307 kicked… */
  codes: Set<number>;
  /** The occupant's real bare JID when the room shows it. */
  realJid?: string;
  /** XEP-0045 §5.2 affiliation (owner, admin, member, none, outcast) and §5.1 role. */
  affiliation?: string;
  role?: string;
  error?: StanzaErrorInfo;
}

/** Parse a presence from `room@service/nick`; undefined when it is not a MUC presence. */
export function parseMucPresence(presence: Element): MucPresence | undefined {
  const from = presence.attrs.from;
  if (from === undefined || presence.name !== "presence") return undefined;
  const room = bareJid(from);
  const nick = resourceOf(from);
  const type = presence.attrs.type;
  if (type === "error") {
    return { room, nick, type: "error", codes: new Set(), error: stanzaError(presence) };
  }
  const x = presence.getChild("x", NS_MUC_USER);
  if (x === undefined || nick === "") return undefined;
  const codes = new Set(x.getChildren("status").map((s) => Number(s.attrs.code)));
  const item = x.getChild("item");
  const realJid = item?.attrs.jid;
  const { affiliation, role } = item?.attrs ?? {};
  return {
    room,
    nick,
    type: type === "unavailable" ? "unavailable" : "available",
    codes,
    ...(realJid ? { realJid: bareJid(realJid) } : {}),
    ...(affiliation ? { affiliation } : {}),
    ...(role ? { role } : {}),
  };
}

/** XEP-0203: a message stamped with `<delay/>` is a history replay, not live traffic. */
export function isDelayed(message: Element): boolean {
  return message.getChild("delay", NS_DELAY) !== undefined;
}

/** Why the room removed us, from the status codes of our unavailable self-presence. */
export function removalReason(codes: Set<number>): string {
  if (codes.has(307)) return "kicked"; // XEP-0045 §9.2
  if (codes.has(301)) return "banned"; // §9.4
  if (codes.has(332)) return "service shutting down"; // §7.14
  if (codes.has(321) || codes.has(322)) return "affiliation changed"; // §9.5
  return "removed from room";
}
