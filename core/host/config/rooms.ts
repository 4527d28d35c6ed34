/**
 * Room names in config: short names (`raw`, `feeds.drop`) resolved against the MUC service, or
 * full bare JIDs (`raw@conference.example.org`) for rooms elsewhere, e.g. a federated partner.
 */

const SHORT = /^[a-z0-9][a-z0-9_.-]*$/;
// RFC 7622 §3.3.1: a localpart may not hold these; MUC room names are localparts.
const LOCALPART = /^[^\s"&'/:<>@]+$/u;
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, "i");

/** `raw`, `feeds.drop`: what config writes for rooms on the mesh's own MUC service. */
export function isShortRoomName(name: string): boolean {
  return SHORT.test(name);
}

/** A host name as XMPP domains are written in config (no IP literals, no ports). */
export function isDomain(name: string): boolean {
  return name.length <= 253 && DOMAIN.test(name);
}

/** `local@domain` without a resource: rooms and admins are addressed by bare JID. */
export function isBareJid(jid: string): boolean {
  const at = jid.indexOf("@");
  if (at <= 0 || at !== jid.lastIndexOf("@")) return false;
  return LOCALPART.test(jid.slice(0, at)) && isDomain(jid.slice(at + 1));
}

export function isRoomName(name: string): boolean {
  return isShortRoomName(name) || isBareJid(name);
}

export const ROOM_NAME_HELP =
  "write a short name like raw or feeds.drop ([a-z0-9][a-z0-9_.-]*) " +
  "or a full room JID like raw@conference.example.org";

/** Short name → `name@muc`; a full JID stays as it is. Lower case: JIDs compare case-blind. */
export function resolveRoom(name: string, muc: string): string {
  return (name.includes("@") ? name : `${name}@${muc}`).toLowerCase();
}

/**
 * A key under which `raw` and `raw@<muc>` count as the same room. Without a known MUC service
 * (managed mode picks its own) only case is folded.
 */
export function roomKey(name: string, muc?: string): string {
  const lower = name.toLowerCase();
  if (muc === undefined) return lower;
  const suffix = `@${muc.toLowerCase()}`;
  return lower.endsWith(suffix) ? lower.slice(0, -suffix.length) : lower;
}
