// @xmpp/component 0.13 is CommonJS without published types; this is the part core/xmpp uses.
declare module "@xmpp/component" {
  import type { Element } from "@xmpp/xml";

  export interface ComponentOptions {
    /** `xmpp://host:port` of the server's XEP-0114 listener. */
    service: string;
    domain: string;
    /** The shared secret, or a function handing it to `authenticate` (kept out of `options`). */
    password: string | ((authenticate: (secret: string) => Promise<void>) => Promise<void>);
  }

  export interface XmppComponent {
    status: string;
    jid: { toString(): string } | null;
    timeout: number;
    options: { service: string; domain: string; lang?: string };
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
  }

  export function component(options: ComponentOptions): XmppComponent;
}
