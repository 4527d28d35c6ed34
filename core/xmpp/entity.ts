import type { Element } from "@xmpp/xml";

/** The part of an xmpp.js client or component that the connection drives. */
export interface Entity {
  status: string;
  options: { service: string; domain: string; lang?: string };
  on(event: string, fn: (...args: never[]) => void): unknown;
  connect(service: string): Promise<void>;
  open(options: { domain: string; lang?: string }): Promise<unknown>;
  disconnect(): Promise<unknown>;
  send(element: Element): Promise<void>;
  sendMany(elements: Element[]): Promise<void>;
}

/** An entity plus what the connection needs to know about the identity it logs in as. */
export interface EntityHandle {
  entity: Entity;
  /** Our full JID once online (client: as bound by the server). */
  jid(): string;
  /** Reset per-stream state that must not leak into the next connection attempt. */
  beforeConnect(): void;
}
