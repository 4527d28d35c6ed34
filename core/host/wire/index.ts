// The wire codec: AbuseHelper 5.x event stanzas (namespace abusehelper#event), both forms.
export { type CodecStats, createCodecStats } from "./stats.js";
export { EVENT_NS } from "./ns.js";
export { replaceNonXmlChars, replaceLoneSurrogates } from "./xml-chars.js";
export { compactXml, encodeCompact, decodeCompact } from "./compact.js";
export { legacyXml, encodeLegacy, decodeLegacy } from "./legacy.js";
export { formatBody, parseBody, quoteToken, BodyParseError } from "./body.js";
export {
  encodeMessage,
  decodeMessage,
  decodeElement,
  messageAttrs,
  type WireForm,
  type EncodeMessageOptions,
} from "./message.js";
export {
  MessagePacker,
  packEvents,
  EventTooLargeError,
  type PackerOptions,
  type PackResult,
} from "./packer.js";
export { SerializedElement } from "./serialized-element.js";
