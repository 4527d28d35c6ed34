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

/**
 * How long xmpp.js waits for each step of opening a stream (its default is 2 s). A server busy
 * with catch-up reads of large room archives can take longer to answer; a short timeout then
 * fails every attempt, and each retry only adds to the server's load.
 */
export const ENTITY_TIMEOUT_MS = 15_000;
