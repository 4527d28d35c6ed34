import type { Element } from "@xmpp/xml";
import { Event } from "../../sdk/event.js";
import { decodeBase64Utf8, decodeKeyBase64, keyBase64, utf8Base64 } from "./base64.js";
import { EVENT_NS, sortedKeys, sortedValues } from "./ns.js";
import { SerializedElement } from "./serialized-element.js";
import { noteSkip, type CodecStats } from "./stats.js";

// The compact form: <e xmlns="abusehelper#event"><k a="BASE64(key)"><v a="BASE64(value)"/></k></e>
// (abusehelper/core/events.py Event.from_elements, "Future event format"). Base64 can carry any
// text, so only lone surrogates need replacing (UTF-8 cannot encode them).
const OPEN = `<e xmlns="${EVENT_NS}"`;

/**
 * The serialized `<e>` element of an event, keys and values in code point order. Pure ASCII,
 * so its length in UTF-16 units is its size in bytes on the wire.
 */
export function compactXml(event: Event, stats?: CodecStats): string {
  if (event.size === 0) return `${OPEN}/>`;
  let out = `${OPEN}>`;
  for (const key of sortedKeys(event)) {
    out += `<k a="${keyBase64(key, stats)}">`;
    for (const value of sortedValues(event.valueSet(key))) {
      out += `<v a="${utf8Base64(value, stats)}"/>`;
    }
    out += "</k>";
  }
  return `${out}</e>`;
}

/** The compact `<e>` element of an event. */
export function encodeCompact(event: Event, stats?: CodecStats): Element {
  const xml = compactXml(event, stats);
  const inner = xml.endsWith("/>") ? "" : xml.slice(OPEN.length + 1, -"</e>".length);
  return new SerializedElement("e", { xmlns: EVENT_NS }, inner);
}

/**
 * The event in an `<e>` element. A `<k>` or `<v>` without `a`, or whose `a` is not base64 of
 * UTF-8, is skipped and counted; the rest of the event is kept. Never throws.
 */
export function decodeCompact(element: Element, stats?: CodecStats): Event {
  const event = new Event();
  let keyIndex = 0;
  for (const keyElement of element.children) {
    if (typeof keyElement === "string" || keyElement.getName() !== "k") continue;
    keyIndex += 1;
    const key = decodeAttr(keyElement, decodeKeyBase64, stats, keyIndex);
    if (key === undefined) continue;
    let valueIndex = 0;
    for (const valueElement of keyElement.children) {
      if (typeof valueElement === "string" || valueElement.getName() !== "v") continue;
      valueIndex += 1;
      const value = decodeAttr(valueElement, decodeBase64Utf8, stats, valueIndex, key);
      if (value !== undefined) event.add(key, value);
    }
  }
  return event;
}

/** The text in an `a` attribute; on failure, counts it and says where (built only then). */
function decodeAttr(
  element: Element,
  decode: (encoded: string) => string | undefined,
  stats: CodecStats | undefined,
  index: number,
  key?: string,
): string | undefined {
  const encoded = element.attrs["a"];
  const text = encoded === undefined ? undefined : decode(encoded);
  if (text !== undefined) return text;
  const where = key === undefined ? `<k> #${index}` : `<v> #${index} of key ${JSON.stringify(key)}`;
  if (encoded === undefined) {
    noteSkip(stats, `compact event: ${where} has no "a" attribute`);
  } else {
    const shown = encoded.length > 40 ? `${encoded.slice(0, 40)}...` : encoded;
    noteSkip(stats, `compact event: ${where}: "a" is not base64 of UTF-8 text (${shown})`);
  }
  return undefined;
}
