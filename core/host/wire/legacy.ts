import type { Element } from "@xmpp/xml";
import { Event } from "../../sdk/event.js";
import { EVENT_NS, sortedKeys, sortedValues } from "./ns.js";
import { SerializedElement } from "./serialized-element.js";
import { noteSkip, type CodecStats } from "./stats.js";
import { escapeAttr, replaceNonXmlChars } from "./xml-chars.js";

// The legacy form: <event xmlns="abusehelper#event"><attr key="k" value="v"/>...</event>
// (abusehelper/core/events.py Event.to_elements). Attribute values carry the text itself, so
// characters outside XML's Char production become U+FFFD, as AbuseHelper does.
const OPEN = `<event xmlns="${EVENT_NS}"`;

/** The `<attr>` elements of an event, one per pair, in code point order. */
function attrsXml(event: Event, stats?: CodecStats): string {
  let out = "";
  for (const rawKey of sortedKeys(event)) {
    const key = escapeAttr(replaceNonXmlChars(rawKey, stats));
    for (const value of sortedValues(event.valueSet(rawKey))) {
      out += `<attr key="${key}" value="${escapeAttr(replaceNonXmlChars(value, stats))}"/>`;
    }
  }
  return out;
}

/** The serialized `<event>` element of an event. */
export function legacyXml(event: Event, stats?: CodecStats): string {
  const inner = attrsXml(event, stats);
  return inner === "" ? `${OPEN}/>` : `${OPEN}>${inner}</event>`;
}

/** The legacy `<event>` element of an event. */
export function encodeLegacy(event: Event, stats?: CodecStats): Element {
  return new SerializedElement("event", { xmlns: EVENT_NS }, attrsXml(event, stats));
}

/**
 * The event in an `<event>` element. An `<attr>` lacking `key` or `value` is skipped and
 * counted, as AbuseHelper skips it (`with_attrs("key", "value")`). Never throws.
 */
export function decodeLegacy(element: Element, stats?: CodecStats): Event {
  const event = new Event();
  let index = 0;
  for (const attr of element.children) {
    if (typeof attr === "string" || attr.getName() !== "attr") continue;
    index += 1;
    const key = attr.attrs["key"];
    const value = attr.attrs["value"];
    if (key === undefined || value === undefined) {
      const missing = key === undefined ? "key" : "value";
      noteSkip(stats, `legacy event: <attr> #${index} has no "${missing}" attribute`);
      continue;
    }
    event.add(key, value);
  }
  return event;
}
