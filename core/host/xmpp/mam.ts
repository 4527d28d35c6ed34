import { randomUUID } from "node:crypto";
import { xml, type Element } from "@xmpp/xml";
import type { StanzaLink } from "./connection.js";
import type { IqCaller } from "./iq.js";
import { bareJid } from "./jid.js";
import { NS_DATA, NS_DELAY } from "./muc-stanzas.js";

const NS_MAM = "urn:xmpp:mam:2";
const NS_RSM = "http://jabber.org/protocol/rsm";
const NS_FORWARD = "urn:xmpp:forward:0";

export interface ArchiveQuery {
  /** Only messages archived at or after this time (XEP-0313 §4.1.1 `start`). */
  start?: Date;
  /** Resume after this archive id (XEP-0059 `after`), e.g. a saved checkpoint. */
  after?: string;
  /** Page size asked for (default 250; the server may cap it). */
  pageSize?: number;
}

/** One archived message: its archive id (for checkpoints), when it was archived, the stanza. */
export interface ArchivedMessage {
  id: string;
  stamp: string | undefined;
  message: Element;
}

/**
 * Read a room's archive (MUC MAM, XEP-0313 §5) page by page, oldest first. The room must be
 * joined if it is members-only; for open rooms any entity may query.
 */
export async function* queryArchive(
  link: StanzaLink,
  iq: IqCaller,
  room: string,
  query: ArchiveQuery = {},
): AsyncGenerator<ArchivedMessage> {
  let after = query.after;
  for (;;) {
    const queryid = randomUUID();
    const page: ArchivedMessage[] = [];
    const collect = (stanza: Element): void => {
      if (stanza.name !== "message" || bareJid(stanza.attrs.from ?? "") !== room) return;
      const result = stanza.getChild("result", NS_MAM);
      if (result?.attrs.queryid !== queryid || result.attrs.id === undefined) return;
      const forwarded = result.getChild("forwarded", NS_FORWARD);
      const message = forwarded?.getChild("message");
      if (message === undefined) return;
      page.push({
        id: result.attrs.id,
        stamp: forwarded?.getChild("delay", NS_DELAY)?.attrs.stamp,
        message,
      });
    };
    link.on("stanza", collect);
    let fin: Element | undefined;
    try {
      const reply = await iq.request(
        archiveIq(room, queryid, { ...query, ...(after ? { after } : {}) }),
      );
      fin = reply.getChild("fin", NS_MAM);
    } finally {
      link.off("stanza", collect);
    }
    yield* page;
    const last = fin?.getChild("set", NS_RSM)?.getChildText("last");
    if (fin?.attrs.complete === "true" || !last || page.length === 0) return;
    after = last;
  }
}

/** XEP-0313 §4.1 query with a data form filter and an XEP-0059 page request. */
function archiveIq(room: string, queryid: string, q: ArchiveQuery): Element {
  const fields = [xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS_MAM))];
  if (q.start) fields.push(xml("field", { var: "start" }, xml("value", {}, q.start.toISOString())));
  const set = xml("set", { xmlns: NS_RSM }, xml("max", {}, String(q.pageSize ?? 250)));
  if (q.after) set.append(xml("after", {}, q.after));
  return xml(
    "iq",
    { type: "set", to: room, id: randomUUID() },
    xml(
      "query",
      { xmlns: NS_MAM, queryid },
      xml("x", { xmlns: NS_DATA, type: "submit" }, ...fields),
      set,
    ),
  );
}
