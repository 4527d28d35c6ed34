import type { Element } from "@xmpp/xml";

export interface ConnectionEvents {
  /** Every incoming message, presence and iq addressed to us. */
  stanza: [stanza: Element];
  /** Online (again): `jid` is our full JID. */
  online: [jid: string];
  /** The stream went down; a reconnect is under way unless we were stopped. */
  offline: [info: { reason: string }];
  /** A permanent failure (bad credentials, insecure transport): no more attempts. */
  failed: [err: Error];
}

/**
 * What the MUC, publisher and subscriber need of a connection: send stanzas and hear about
 * incoming ones and online/offline changes. XmppConnection is one; tests use a fake.
 */
export interface StanzaLink {
  readonly online: boolean;
  readonly jid: string;
  send(stanza: Element): Promise<void>;
  on<K extends keyof ConnectionEvents>(
    event: K,
    fn: (...args: ConnectionEvents[K]) => void,
  ): unknown;
  off<K extends keyof ConnectionEvents>(
    event: K,
    fn: (...args: ConnectionEvents[K]) => void,
  ): unknown;
}
