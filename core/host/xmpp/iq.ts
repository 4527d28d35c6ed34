import { randomUUID } from "node:crypto";
import type { Element } from "@xmpp/xml";
import type { StanzaLink } from "./connection.js";
import { IqError } from "./errors.js";
import { bareJid } from "./jid.js";
import { stanzaError } from "./stanza-error.js";

interface Pending {
  to: string;
  resolve: (iq: Element) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Request/response for `<iq/>` (RFC 6120 §8.2.3): matches the reply by id and sender. */
export class IqCaller {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly connection: StanzaLink,
    private readonly timeoutMs = 30_000,
  ) {
    connection.on("stanza", (stanza) => this.#onStanza(stanza));
    connection.on("offline", () => {
      for (const [id, p] of this.#pending)
        this.#settle(id, p, new IqError("connection lost", "remote-server-timeout"));
    });
  }

  /** Send an iq get/set; resolves with the `result` iq, rejects with IqError on `error`. */
  async request(iq: Element): Promise<Element> {
    const id = (iq.attrs.id ??= randomUUID());
    const to = iq.attrs.to ?? "";
    const reply = new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.#pending.get(id);
        if (p)
          this.#settle(
            id,
            p,
            new IqError(`no reply from ${to} within ${this.timeoutMs} ms`, "remote-server-timeout"),
          );
      }, this.timeoutMs);
      this.#pending.set(id, { to, resolve, reject, timer });
    });
    try {
      await this.connection.send(iq);
    } catch (err) {
      const p = this.#pending.get(id);
      if (p) this.#settle(id, p, err as Error);
    }
    return reply;
  }

  #onStanza(stanza: Element): void {
    if (stanza.name !== "iq") return;
    const { id, type, from } = stanza.attrs;
    if (id === undefined || (type !== "result" && type !== "error")) return;
    const p = this.#pending.get(id);
    if (p === undefined || bareJid(from ?? "") !== bareJid(p.to)) return;
    if (type === "result") this.#settle(id, p, undefined, stanza);
    else {
      const e = stanzaError(stanza);
      this.#settle(
        id,
        p,
        new IqError(`${p.to}: ${e.condition}${e.text ? ` (${e.text})` : ""}`, e.condition),
      );
    }
  }

  #settle(id: string, p: Pending, err: Error | undefined, result?: Element): void {
    clearTimeout(p.timer);
    this.#pending.delete(id);
    if (err !== undefined) p.reject(err);
    else if (result !== undefined) p.resolve(result);
  }
}
