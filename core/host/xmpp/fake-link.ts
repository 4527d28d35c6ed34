import { EventEmitter } from "node:events";
import { type Element } from "@xmpp/xml";
import parse from "@xmpp/xml/lib/parse.js";
import type { ConnectionEvents, StanzaLink } from "./connection.js";
import { NotConnectedError } from "./errors.js";

/** A connection stand-in for unit tests: push stanzas in, read what was sent. */
export class FakeLink extends EventEmitter<ConnectionEvents> implements StanzaLink {
  online = false;
  readonly sent: Element[] = [];

  constructor(readonly jid = "bot@localhost/mesh") {
    super();
  }

  send(stanza: Element): Promise<void> {
    if (!this.online) return Promise.reject(new NotConnectedError());
    // Keep what went on the wire, as the server would parse it.
    this.sent.push(parse(stanza.toString()));
    return Promise.resolve();
  }

  up(): void {
    this.online = true;
    this.emit("online", this.jid);
  }

  down(): void {
    this.online = false;
    this.emit("offline", { reason: "test" });
  }

  /** Deliver a stanza given as XML text, as the server would. */
  push(text: string | Element): void {
    this.emit("stanza", typeof text === "string" ? parse(text) : text);
  }

  /** Sent stanzas since the last call. */
  take(): Element[] {
    return this.sent.splice(0);
  }
}
