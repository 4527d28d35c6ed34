import type { Element } from "@xmpp/xml";

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

export interface StanzaErrorInfo {
  /** RFC 6120 §8.3.3 condition, e.g. `conflict`, `not-acceptable`. */
  condition: string;
  type: string;
  text?: string;
}

/** The defined condition and text of a stanza of type `error` (RFC 6120 §8.3). */
export function stanzaError(stanza: Element): StanzaErrorInfo {
  const error = stanza.getChild("error");
  if (error === undefined) return { condition: "undefined-condition", type: "cancel" };
  const condition = error
    .getChildElements()
    .find((el) => el.getNS() === NS_STANZAS && el.name !== "text");
  const text = error.getChildText("text", NS_STANZAS);
  return {
    condition: condition?.name ?? "undefined-condition",
    type: error.attrs.type ?? "cancel",
    ...(text ? { text } : {}),
  };
}
