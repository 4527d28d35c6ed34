import type { Element } from "@xmpp/xml";
import type { Event } from "../../sdk/event.js";
import { formatBody } from "./body.js";
import { compactXml, decodeCompact } from "./compact.js";
import { decodeLegacy, legacyXml } from "./legacy.js";
import { EVENT_NS } from "./ns.js";
import { SerializedElement } from "./serialized-element.js";
import type { CodecStats } from "./stats.js";
import { escapeText, replaceNonXmlChars } from "./xml-chars.js";

/** Which of AbuseHelper's two event forms to write. */
export type WireForm = "legacy" | "compact";

export interface EncodeMessageOptions {
  form: WireForm;
  /** Add a `<body>` for people reading the room; by default only the legacy form has one. */
  body?: boolean;
  /** A stanza id, e.g. to recognise the room's reflection of this message. */
  id?: string;
  /** Counts characters replaced in keys and values. */
  stats?: CodecStats;
}

/** Attributes of a groupchat message to a room (RFC 6121 §5.2.2, XEP-0045 §7.4). */
export function messageAttrs(to: string, id?: string): Record<string, string> {
  return id === undefined ? { type: "groupchat", to } : { type: "groupchat", to, id };
}

/**
 * A groupchat `<message>` carrying `events` in one form, with an optional `<body>` holding one
 * `key=value` line per event. Body text is repaired like keys and values but not counted again.
 */
export function encodeMessage(
  to: string,
  events: readonly Event[],
  options: EncodeMessageOptions,
): Element {
  const encode = options.form === "legacy" ? legacyXml : compactXml;
  let inner = "";
  if (options.body ?? options.form === "legacy") {
    const text = replaceNonXmlChars(events.map(formatBody).join("\n"));
    inner += `<body>${escapeText(text)}</body>`;
  }
  for (const event of events) inner += encode(event, options.stats);
  return new SerializedElement("message", messageAttrs(to, options.id), inner);
}

/**
 * The event in one `<e>` or `<event>` element of AbuseHelper's namespace, or undefined for any
 * other element. Malformed parts are skipped and counted, never thrown.
 */
export function decodeElement(element: Element, stats?: CodecStats): Event | undefined {
  if (element.is("e", EVENT_NS)) return decodeCompact(element, stats);
  if (element.is("event", EVENT_NS)) return decodeLegacy(element, stats);
  return undefined;
}

/**
 * Every event a message stanza carries, in document order: any number of `<e>` and `<event>`
 * children in any mix, as AbuseHelper's Event.from_elements reads them. Children in other
 * namespaces (body, delay, stanza-id, ...) are ignored. Never throws on the content.
 */
export function decodeMessage(message: Element, stats?: CodecStats): Event[] {
  const events: Event[] = [];
  for (const child of message.children) {
    if (typeof child === "string") continue;
    const event = decodeElement(child, stats);
    if (event !== undefined) events.push(event);
  }
  return events;
}
