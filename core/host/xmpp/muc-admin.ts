import { xml, type Element } from "@xmpp/xml";
import { IqError } from "./errors.js";
import type { IqCaller } from "./iq.js";
import { bareJid } from "./jid.js";
import { NS_DATA } from "./muc-stanzas.js";

// Room administration that the mesh does on rooms it owns (XEP-0045 §9, §10) and nick
// registration (§7.10), as one small function per request.

export const NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin";
const NS_REGISTER = "jabber:iq:register";
const FORM_REGISTER = "http://jabber.org/protocol/muc#register";

export type Affiliation = "owner" | "admin" | "member" | "none" | "outcast";

/** One affiliation change; `nick` reserves that nick for the JID where the server supports it. */
export interface AffiliationItem {
  jid: string;
  affiliation: Affiliation;
  nick?: string;
}

/**
 * XEP-0045 §9.3/§10.3: set one JID's affiliation. One item per request: Prosody 0.12 reads only
 * the first item of a muc#admin set. With `nick`, Prosody stores it as the JID's reserved nick
 * (and removes an occupant of another JID holding it); ejabberd ignores it.
 */
export async function setAffiliation(
  iq: IqCaller,
  room: string,
  item: AffiliationItem,
): Promise<void> {
  const attrs = { jid: bareJid(item.jid), affiliation: item.affiliation, nick: item.nick };
  await iq.request(
    xml("iq", { type: "set", to: room }, xml("query", { xmlns: NS_MUC_ADMIN }, xml("item", attrs))),
  );
}

/** XEP-0045 §9.5/§10.5: the bare JIDs with an affiliation (owners and admins may ask). */
export async function listAffiliation(
  iq: IqCaller,
  room: string,
  affiliation: Affiliation,
): Promise<string[]> {
  const reply = await iq.request(
    xml(
      "iq",
      { type: "get", to: room },
      xml("query", { xmlns: NS_MUC_ADMIN }, xml("item", { affiliation })),
    ),
  );
  const items = reply.getChild("query", NS_MUC_ADMIN)?.getChildren("item") ?? [];
  return items.flatMap((i: Element) => (i.attrs.jid ? [bareJid(i.attrs.jid)] : []));
}

/** The §7.10 registration form, submitted with our nick. */
export function registerNickIq(to: string, nick: string): Element {
  const field = (name: string, value: string) =>
    xml("field", { var: name }, xml("value", {}, value));
  return xml(
    "iq",
    { type: "set", to },
    xml(
      "query",
      { xmlns: NS_REGISTER },
      xml(
        "x",
        { xmlns: NS_DATA, type: "submit" },
        field("FORM_TYPE", FORM_REGISTER),
        field("muc#register_roomnick", nick),
      ),
    ),
  );
}

/**
 * XEP-0045 §7.10: register `nick` so no other JID can join under it. Prosody registers per room
 * (and only for affiliated JIDs unless `allow_unaffiliated_register`); ejabberd answers
 * service-unavailable at the room and registers at the service, for every room of it. Resolves
 * with where the nick is registered; rejects with IqError (`conflict`: someone else holds it;
 * `registration-required`: the room wants us affiliated first).
 */
export async function registerNick(
  iq: IqCaller,
  room: string,
  service: string,
  nick: string,
): Promise<"room" | "service"> {
  try {
    await iq.request(registerNickIq(room, nick));
    return "room";
  } catch (err) {
    const condition = err instanceof IqError ? err.condition : undefined;
    if (condition !== "service-unavailable" && condition !== "feature-not-implemented") throw err;
  }
  await iq.request(registerNickIq(service, nick));
  return "service";
}
