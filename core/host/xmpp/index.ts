// The XMPP layer of the mesh runtime: connection, MUC, at-least-once publisher, subscriber.
import type { Logger } from "pino";
import { XmppConnection, type ConnectionLogin, type ConnectionOptions } from "./connection.js";
import { IqCaller } from "./iq.js";
import { Muc, type MucOptions } from "./muc.js";
import { Publisher, type PublisherOptions } from "./publisher.js";

export { backoffDelay, type BackoffOptions } from "../../sdk/backoff.js";
export {
  XmppConnection,
  type ConnectionEvents,
  type ConnectionLogin,
  type ConnectionOptions,
  type StanzaLink,
} from "./connection.js";
export type { ClientLogin } from "./client-entity.js";
export type { ComponentLogin } from "./component-entity.js";
export * from "./errors.js";
export { IqCaller } from "./iq.js";
export { Keepalive, type KeepaliveOptions } from "./keepalive.js";
export { bareJid, domainOf, resolveRoom, resourceOf } from "./jid.js";
export {
  Muc,
  type JoinOptions,
  type JoinResult,
  type MessageError,
  type MucEvents,
  type MucOptions,
  type NickTaken,
  type PrivateMessage,
  type RoomMessage,
} from "./muc.js";
export {
  listAffiliation,
  registerNick,
  setAffiliation,
  type Affiliation,
  type AffiliationItem,
} from "./muc-admin.js";
export { queryArchive, type ArchiveQuery, type ArchivedMessage } from "./mam.js";
export { Outbox, type OutboxEntry, type OutboxOptions } from "./outbox.js";
export { Publisher, type PublishCounters, type PublisherOptions } from "./publisher.js";
export { isLoopbackHost, parseService, type ServiceAddress } from "./service.js";
export { reflectedId, stampMessage } from "./stamp.js";
export { Subscriber, type SubscribeCounters, type SubscriberOptions } from "./subscriber.js";

export interface XmppStackOptions {
  login: ConnectionLogin;
  log: Logger;
  /** MUC service for short room names, e.g. `rooms.localhost`. */
  mucService: string;
  /** Our nick in rooms (the bot instance id). */
  nick: string;
  /** Presence status shown in rooms. */
  status?: string;
  connection?: Omit<ConnectionOptions, keyof ConnectionLogin | "log">;
  muc?: Omit<MucOptions, "connection" | "iq" | "service" | "nick" | "log" | "status">;
  publisher?: Omit<PublisherOptions, "link" | "muc" | "log">;
}

/** One bot's XMPP stack. `start()` connects and loads the outbox; `stop()` ends it all. */
export interface XmppStack {
  connection: XmppConnection;
  iq: IqCaller;
  muc: Muc;
  publisher: Publisher;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Compose connection → iq → MUC → publisher, the one place they are wired together. */
export function createXmppStack(opts: XmppStackOptions): XmppStack {
  const log = opts.log;
  const connection = new XmppConnection({ ...opts.login, ...opts.connection, log });
  const iq = new IqCaller(connection);
  const muc = new Muc({
    ...opts.muc,
    connection,
    iq,
    service: opts.mucService,
    nick: opts.nick,
    log,
    ...(opts.status === undefined ? {} : { status: opts.status }),
  });
  const publisher = new Publisher({ ...opts.publisher, link: connection, muc, log });
  return {
    connection,
    iq,
    muc,
    publisher,
    async start() {
      publisher.start();
      await connection.start();
    },
    async stop() {
      publisher.stop();
      muc.close();
      await connection.stop();
    },
  };
}
