// Small XMPP helpers for integration tests: connect, join a room, wait for a stanza, read MAM.
import { client, type XmppClient } from "@xmpp/client";
import { component, type XmppComponent } from "@xmpp/component";
import { xml, type Element } from "@xmpp/xml";
import type { ManagedServer } from "../../core/host/server/managed-server.js";

export type Entity = XmppClient | XmppComponent;

const NS_MUC = "http://jabber.org/protocol/muc";
const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
const NS_MAM = "urn:xmpp:mam:2";

/** Connected, authenticated client. SASL PLAIN: SCRAM costs ~650 ms of CPU in xmpp.js. */
export async function connectClient(
  server: ManagedServer,
  username: string,
  password: string,
  resource = "test",
): Promise<XmppClient> {
  const c = client({
    service: server.service,
    domain: server.host,
    resource,
    // Loopback without TLS: xmpp.js would otherwise avoid PLAIN on an insecure stream.
    credentials: (authenticate) => authenticate({ username, password }, "PLAIN"),
  });
  c.on("error", () => {}); // surfaced through start() and the stanzas a test waits for
  await c.start();
  return c;
}

/** Connected XEP-0114 component; its stanzas must carry `from=` under `domain`. */
export async function connectComponent(
  server: ManagedServer,
  domain: string,
  secret: string,
): Promise<XmppComponent> {
  const c = component({ service: server.componentService, domain, password: secret });
  c.on("error", () => {});
  await c.start();
  return c;
}

/** The first stanza matching `match`; rejects after `timeoutMs` naming `what`. */
export async function nextStanza(
  entity: Entity,
  what: string,
  match: (el: Element) => boolean,
  timeoutMs = 10_000,
): Promise<Element> {
  return new Promise((resolve, reject) => {
    const onStanza = (el: Element): void => {
      if (!match(el)) return;
      cleanup();
      resolve(el);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      entity.removeListener("stanza", onStanza);
    };
    entity.on("stanza", onStanza);
  });
}

/**
 * Join `room` as `nick` without history replay and wait for our own presence (XEP-0045 §7.2.3:
 * status 110). The `<x/>` is mandatory on Prosody 0.12 (else item-not-found).
 */
export async function joinRoom(
  entity: Entity,
  room: string,
  nick: string,
  from?: string,
): Promise<void> {
  const to = `${room}/${nick}`;
  const self = nextStanza(entity, `self-presence in ${to}`, (el) => {
    if (!el.is("presence") || el.attrs.from !== to) return false;
    if (el.attrs.type === "error") return true;
    const x = el.getChild("x", NS_MUC_USER);
    return Boolean(x?.getChildren("status").some((s) => s.attrs.code === "110"));
  });
  await entity.send(
    xml(
      "presence",
      { to, ...(from ? { from } : {}) },
      xml("x", { xmlns: NS_MUC }, xml("history", { maxstanzas: "0" })),
    ),
  );
  const reply = await self;
  if (reply.attrs.type === "error") throw new Error(`joining ${to} failed: ${reply.toString()}`);
}

/** Send a groupchat message to a room (bare JID). */
export async function sendGroupchat(
  entity: Entity,
  room: string,
  body: string,
  from?: string,
): Promise<void> {
  await entity.send(
    xml(
      "message",
      { to: room, type: "groupchat", ...(from ? { from } : {}) },
      xml("body", {}, body),
    ),
  );
}

/** Query a room's archive (XEP-0313 §4): the first `max` archived messages, oldest first. */
export async function queryRoomArchive(
  entity: Entity,
  room: string,
  opts: { from?: string; max?: number; timeoutMs?: number } = {},
): Promise<Element[]> {
  const { from, max = 100, timeoutMs = 10_000 } = opts;
  const queryid = `q${Math.random().toString(36).slice(2)}`;
  const id = `mam-${queryid}`;
  const found: Element[] = [];
  const onStanza = (el: Element): void => {
    const result = el.is("message") ? el.getChild("result", NS_MAM) : undefined;
    if (result?.attrs.queryid !== queryid) return;
    const msg = result.getChild("forwarded", "urn:xmpp:forward:0")?.getChild("message");
    if (msg) found.push(msg);
  };
  entity.on("stanza", onStanza);
  try {
    const done = nextStanza(
      entity,
      `MAM result from ${room}`,
      (el) => el.is("iq") && el.attrs.id === id,
      timeoutMs,
    );
    await entity.send(
      xml(
        "iq",
        { type: "set", to: room, id, ...(from ? { from } : {}) },
        xml(
          "query",
          { xmlns: NS_MAM, queryid },
          // XEP-0059 paging: servers default to small pages (Prosody 20).
          xml("set", { xmlns: "http://jabber.org/protocol/rsm" }, xml("max", {}, String(max))),
        ),
      ),
    );
    const reply = await done;
    if (reply.attrs.type !== "result") throw new Error(`MAM query on ${room}: ${reply.toString()}`);
    return found;
  } finally {
    entity.removeListener("stanza", onStanza);
  }
}
