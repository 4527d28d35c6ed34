// @xmpp/client 0.14 ships no types; this is the part of its surface core/xmpp uses.
declare module "@xmpp/client" {
  import type { Element } from "@xmpp/xml";

  export interface XmppJid {
    local: string;
    domain: string;
    resource: string;
    bare(): XmppJid;
    toString(): string;
  }

  /** Called with what a SASL exchange needs; picks the mechanism itself (RFC 6120 §6). */
  export type Authenticate = (
    credentials: { username: string; password: string },
    mechanism: string,
    userAgent?: Element,
  ) => Promise<void>;

  export type CredentialsHandler = (
    authenticate: Authenticate,
    mechanisms: string[],
    fast: unknown,
    entity: XmppClient,
  ) => Promise<void>;

  export interface ClientOptions {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    credentials?: CredentialsHandler;
    lang?: string;
    timeout?: number;
  }

  export interface XmppClient {
    status: string;
    jid: XmppJid | null;
    timeout: number;
    options: { service: string; domain: string; lang?: string };
    isSecure(): boolean;
    on(event: string, fn: (...args: never[]) => void): this;
    off(event: string, fn: (...args: never[]) => void): this;
    removeListener(event: string, fn: (...args: never[]) => void): this;
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<unknown>;
    disconnect(): Promise<unknown>;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
    sendMany(elements: Element[]): Promise<void>;
    reconnect: { stop(): void; delay: number };
    /** XEP-0198 state: `id` is the resumption id, `outbound_q` the unacknowledged stanzas. */
    streamManagement: { id: string; outbound: number; outbound_q: unknown[]; enabled: boolean };
  }

  export function client(options: ClientOptions): XmppClient;
  export function jid(address: string): XmppJid;
  export { xml } from "@xmpp/xml";
}
