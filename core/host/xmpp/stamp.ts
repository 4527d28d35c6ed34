import { xml, type Element } from "@xmpp/xml";
import { SerializedElement } from "../wire/index.js";

export const NS_SID = "urn:xmpp:sid:0";
export const NS_HINTS = "urn:xmpp:hints";

/** Bytes `stampMessage` adds at most: ` id="…"`, `<origin-id …/>` (36-char id), `<store/>`. */
export const STAMP_BYTES = 192;

/**
 * Give an outgoing message its id and an XEP-0359 §3 `<origin-id/>`, so the room's reflection
 * can be matched even by a service that rewrites the stanza id, and an XEP-0334 §4.4 `<store/>`
 * hint: Prosody and ejabberd keep only messages with a `<body>` in room history and archive
 * (MAM) otherwise, and compact batches have none, yet consumers catch up from there.
 * Keeps a serialized message serialized: its text is re-wrapped instead of parsed.
 */
export function stampMessage(message: Element, id: string, store = true): Element {
  const extra = [xml("origin-id", { xmlns: NS_SID, id })];
  if (store) extra.push(xml("store", { xmlns: NS_HINTS }));
  if (message instanceof SerializedElement && message.isSerialized) {
    const text = message.toString();
    const open = text.indexOf(">"); // attribute values are escaped: the first '>' ends the tag
    const selfClosing = text[open - 1] === "/";
    const inner = selfClosing ? "" : text.slice(open + 1, -`</${message.name}>`.length);
    const head = extra.map(String).join("");
    return new SerializedElement(message.name, { ...message.attrs, id }, head + inner);
  }
  message.attrs.id = id;
  message.append(...extra); // ltx's append returns nothing, whatever the type shim says
  return message;
}

/** The id our reflected message carries: its origin-id, else the stanza id. */
export function reflectedId(message: Element): string | undefined {
  return message.getChild("origin-id", NS_SID)?.attrs.id ?? message.attrs.id;
}
