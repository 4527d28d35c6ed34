import { XmppConfigError } from "./errors.js";

// String-level JID helpers (RFC 7622 §3.1): local@domain/resource. The resource may contain '/'.

/** `local@domain` of a JID (or `domain` when it has no local part). */
export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}

/** The resource of a full JID, or "" for a bare one (for a room occupant: the nick). */
export function resourceOf(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? "" : jid.slice(slash + 1);
}

/** The domain part of a JID. */
export function domainOf(jid: string): string {
  const bare = bareJid(jid);
  return bare.slice(bare.indexOf("@") + 1);
}

/**
 * A room as a bare JID: full JIDs are kept (lower-cased), short names are resolved against the
 * MUC service, `raw` → `raw@rooms.localhost`.
 */
export function resolveRoom(name: string, mucService: string): string {
  const room = name.trim();
  if (room === "" || room.includes("/")) {
    throw new XmppConfigError(
      `room ${JSON.stringify(name)}: expected a short name or a bare room JID`,
    );
  }
  return room.includes("@") ? room.toLowerCase() : `${room}@${mucService}`.toLowerCase();
}
