import xml from "@xmpp/xml";
import type { Logger } from "pino";
import {
  bareJid,
  IqCaller,
  Muc,
  XmppConnection,
  type ConnectionLogin,
  type StanzaLink,
  type XmppStack,
} from "../xmpp/index.js";

/** The XMPP side of the lobby: its own stream, or the bot's one where that is not possible. */
export interface LobbyStack {
  connection: StanzaLink;
  iq: IqCaller;
  muc: Muc;
  /** True when the lobby rides on the bot's event connection (component mode). */
  shared: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Resource of the lobby's stream beside the events' `mesh`. */
export const LOBBY_RESOURCE = "lobby";

/**
 * A second client session (same account, resource `lobby`) for the lobby and direct messages.
 * On the bot's event stream an operator's `!ping` queued behind event batches both ways: under
 * a 100k-event flood on Prosody, median 27 s and up to 52 s with one stream, 17 s and 31 s with
 * this one (the rest was Prosody's own turn-taking, since cut by reading 64 KiB per pass, see
 * server/prosody-config.ts); at 30k events with 64 KiB reads the medians are alike (~1 s), but
 * one stream still had answers 5-8 s late where this one stayed under 1.7 s
 * (test/bench/lobby.bench.ts). A send queue that lets replies jump the publisher's batches
 * would reorder only what is still in our process: the backlog sits in socket buffers and in
 * the server's queue towards us, which no client-side priority reaches.
 *
 * Only this session sends available presence (priority 1), so a message to the bot's bare JID
 * goes here (RFC 6121 §8.5.2.1.1); the event session stays unavailable, as it always was.
 * An external component has one stream per domain (XEP-0114): there the lobby shares it.
 */
export function createLobbyStack(
  main: XmppStack,
  login: ConnectionLogin,
  opts: { log: Logger; mucService: string; nick: string; status?: string },
): LobbyStack {
  if (login.mode === "component") {
    return { ...main, shared: true, start: async () => {}, stop: async () => {} };
  }
  const log = opts.log.child({ stream: LOBBY_RESOURCE });
  // A JID with a resource would bind the same one and replace the event session.
  const jid = bareJid(login.jid);
  const connection = new XmppConnection({ ...login, jid, resource: LOBBY_RESOURCE, log });
  const iq = new IqCaller(connection);
  const muc = new Muc({
    connection,
    iq,
    service: opts.mucService,
    nick: opts.nick,
    log,
    ...(opts.status === undefined ? {} : { status: opts.status }),
  });
  connection.on("online", () => {
    const presence = xml("presence", {}, xml("priority", {}, "1"));
    connection.send(presence).catch((err: unknown) => {
      log.warn({ err }, "could not send the lobby stream's presence");
    });
  });
  return {
    connection,
    iq,
    muc,
    shared: false,
    start: () => connection.start(),
    async stop() {
      muc.close();
      await connection.stop();
    },
  };
}
