import { EventEmitter, once } from "node:events";
import type { Logger } from "pino";
import { xml, type Element } from "@xmpp/xml";
import { backoffDelay, type BackoffOptions } from "../../sdk/backoff.js";
import { createClientEntity, type ClientLogin } from "./client-entity.js";
import { createComponentEntity, type ComponentLogin } from "./component-entity.js";
import type { EntityHandle } from "./entity.js";
import {
  InsecureConnectionError,
  NotConnectedError,
  SessionReplacedError,
  StoppedError,
  XmppConfigError,
  XmppError,
} from "./errors.js";
import { failureFields } from "../log.js";
import { bareJid, domainOf } from "./jid.js";
import { Keepalive, type KeepaliveOptions } from "./keepalive.js";
import type { ConnectionEvents, StanzaLink } from "./link.js";
import { destroySocket, noDelay, permanent, sleep } from "./socket.js";
import { parseService } from "./service.js";

export type { ConnectionEvents, StanzaLink };

export type ConnectionLogin =
  ({ mode: "client" } & ClientLogin) | ({ mode: "component" } & ComponentLogin);

export type ConnectionOptions = ConnectionLogin & {
  log: Logger;
  backoff?: BackoffOptions;
  /** Give up one attempt when not online after this long (default 30 s). */
  onlineTimeoutMs?: number;
  /** An online spell at least this long resets the backoff (default 10 s). */
  healthyAfterMs?: number;
  /** Probe a silent stream with XEP-0199 pings and reconnect when it is dead; false: never. */
  keepalive?: (KeepaliveOptions & { to?: string }) | false;
};

const NS_PING = "urn:xmpp:ping";

type State = "idle" | "connecting" | "online" | "stopped" | "failed";

/**
 * One XMPP session, as a client (RFC 6120) or an external component (XEP-0114), with the same
 * interface for both. Reconnects in-process with capped, jittered exponential backoff.
 */
export class XmppConnection extends EventEmitter<ConnectionEvents> implements StanzaLink {
  readonly mode: "client" | "component";
  readonly #handle: EntityHandle;
  readonly #service: string;
  readonly #domain: string;
  readonly #log: Logger;
  readonly #opts: ConnectionOptions;
  #state: State = "idle";
  #attempts = 0;
  #onlineSince = 0;
  #closing = false;
  #replaced: Error | undefined;
  readonly #keepalive: Keepalive | undefined;
  #wake: (() => void) | undefined;
  #started: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(opts: ConnectionOptions) {
    super();
    const address = parseService(opts.service);
    this.mode = opts.mode;
    this.#opts = opts;
    this.#service = opts.service;
    this.#log = opts.log;
    if (opts.mode === "client") {
      this.#handle = createClientEntity(opts, address);
      this.#domain = domainOf(opts.jid);
    } else {
      // XEP-0114 streams carry no TLS: the component port must not leave the machine.
      if (!address.loopback) {
        throw new InsecureConnectionError(
          `component service ${opts.service}: XEP-0114 is plaintext; only a loopback host is allowed`,
        );
      }
      if (address.protocol !== "xmpp") {
        throw new XmppConfigError(`component service ${opts.service}: use xmpp://host:port`);
      }
      this.#handle = createComponentEntity(opts);
      this.#domain = opts.domain;
    }
    const entity = this.#handle.entity;
    this.#keepalive = this.#makeKeepalive(opts);
    entity.on("element", () => this.#keepalive?.heard());
    entity.on("stanza", (stanza: Element) => this.#onStanza(stanza));
    entity.on("connect", () => noDelay(entity));
    entity.on("status", (status: string) => this.#log.trace({ status }, "xmpp.js status"));
    entity.on("disconnect", () => this.#onDrop("disconnected"));
    // The server closed the stream (e.g. shutting down): close the socket too, then reconnect.
    // Only once: xmpp.js re-emits "close" from disconnect() when the parser is already gone.
    entity.on("close", () => {
      if (this.#state !== "online" || this.#closing) return;
      this.#closing = true;
      entity.disconnect().catch(() => {});
    });
    // Errors of an attempt reject it; those of a live stream end in a drop. Log, never throw.
    entity.on("error", (err: Error) => {
      // Just the gist: xmpp.js errors carry the whole stanza tree.
      const { name, message } = err;
      if (this.#state !== "online") return;
      this.#log.warn({ err: { type: name, message } }, "XMPP stream error");
      // RFC 6120 §4.9.3.3: another session took our JID and resource. Fighting back would
      // kick it in turn, forever; stop and let the operator (or the supervisor) sort it out.
      if ((err as { condition?: unknown }).condition === "conflict") {
        this.#replaced = new SessionReplacedError(
          `another session logged in as ${this.jid}; not reconnecting`,
          "conflict",
        );
      }
    });
  }

  /** Our full JID (client: as bound by the server once online). */
  get jid(): string {
    return this.#handle.jid();
  }

  /** The domain we log in to: the account's server, or the component domain. */
  get domain(): string {
    return this.#domain;
  }

  get online(): boolean {
    return this.#state === "online";
  }

  /** Connect; resolves once online, rejects on a permanent failure. Transient ones are retried. */
  start(): Promise<void> {
    if (this.#state !== "idle")
      throw new XmppError(`cannot start a connection that is ${this.#state}`);
    this.#state = "connecting";
    const started = new Promise<void>((resolve, reject) => (this.#started = { resolve, reject }));
    void this.#connectLoop();
    return started;
  }

  /** Close the stream; no reconnect follows. */
  async stop(): Promise<void> {
    const was = this.#state;
    this.#state = "stopped";
    this.#keepalive?.stop();
    this.#wake?.();
    this.#started?.reject(new StoppedError());
    this.#started = undefined;
    if (was === "online" || was === "connecting") {
      // Closing waits for the server's </stream:stream> (entity timeout); never hang on it.
      await Promise.race([this.#handle.entity.disconnect().catch(() => {}), sleep(5000)]);
    }
    if (was === "online") this.emit("offline", { reason: "stopped" });
  }

  /** Send one stanza; rejects with NotConnectedError while offline. */
  send(stanza: Element): Promise<void> {
    if (this.#state !== "online") return Promise.reject(new NotConnectedError());
    this.#stamp(stanza);
    return this.#handle.entity.send(stanza);
  }

  /** Send stanzas in one socket write. */
  sendMany(stanzas: Element[]): Promise<void> {
    if (this.#state !== "online") return Promise.reject(new NotConnectedError());
    for (const stanza of stanzas) this.#stamp(stanza);
    return this.#handle.entity.sendMany(stanzas);
  }

  // XEP-0114 §3: a component's stanzas carry `from`; ours is a JID under the component domain.
  #stamp(stanza: Element): void {
    if (this.mode !== "component") return;
    const from = stanza.attrs.from;
    if (from === undefined) stanza.attrs.from = this.jid;
    else if (domainOf(from) !== this.#domain) {
      throw new XmppError(`component may not send from ${from} (not under ${this.#domain})`);
    }
  }

  #onStanza(stanza: Element): void {
    // A component receives everything for its domain; keep what is addressed to this bot.
    if (this.mode === "component" && bareJid(stanza.attrs.to ?? "") !== bareJid(this.jid)) return;
    try {
      this.emit("stanza", stanza);
    } catch (err) {
      this.#log.error({ err, stanza: stanza.name }, "stanza handler threw");
    }
  }

  #onDrop(reason: string): void {
    if (this.#state !== "online") return; // attempts handle their own failures
    this.#keepalive?.stop();
    if (this.#replaced !== undefined) {
      this.emit("offline", { reason: "replaced by another session" });
      return this.#fail(this.#replaced);
    }
    this.#state = "connecting";
    if (Date.now() - this.#onlineSince >= (this.#opts.healthyAfterMs ?? 10_000)) this.#attempts = 0;
    this.#log.warn({ service: this.#service }, "XMPP connection lost; reconnecting");
    this.emit("offline", { reason });
    void this.#connectLoop();
  }

  async #connectLoop(): Promise<void> {
    while (this.#state === "connecting") {
      if (this.#attempts > 0) {
        const delayMs = backoffDelay(this.#attempts - 1, this.#opts.backoff);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        if (this.#state !== "connecting") return;
      }
      this.#attempts++;
      try {
        await this.#attempt();
      } catch (err) {
        if (this.#state !== "connecting") return;
        const fatal = permanent(err);
        if (fatal !== undefined) return this.#fail(fatal);
        // The first failure once; the retries that follow only at debug (a server down for a
        // minute is one line, not sixty), and "XMPP online" says when it is back.
        const fields = { ...failureFields(err), service: this.#service, attempt: this.#attempts };
        if (this.#attempts === 1)
          this.#log.warn(fields, "XMPP connection attempt failed; retrying");
        else this.#log.debug(fields, "XMPP connection attempt failed again");
        continue;
      }
      if (this.#state !== "connecting") {
        // stop() came while the last step was under way
        await this.#handle.entity.disconnect().catch(() => {});
        return;
      }
      this.#state = "online";
      this.#closing = false;
      this.#onlineSince = Date.now();
      this.#keepalive?.start();
      const after = this.#attempts > 1 ? { attempts: this.#attempts } : {};
      // Back after failures is news; the first login of a start is detail.
      this.#log[this.#attempts > 1 ? "info" : "debug"](
        { jid: this.jid, service: this.#service, ...after },
        "XMPP online",
      );
      this.#started?.resolve();
      this.#started = undefined;
      this.emit("online", this.jid);
    }
  }

  async #attempt(): Promise<void> {
    const entity = this.#handle.entity;
    this.#handle.beforeConnect();
    // events.once rejects on the entity's "error" (bad credentials, stream errors) or timeout.
    const online = once(entity as unknown as EventEmitter, "online", {
      signal: AbortSignal.timeout(this.#opts.onlineTimeoutMs ?? 30_000),
    });
    online.catch(() => {}); // awaited below; this only silences the early-failure path
    try {
      await entity.connect(this.#service);
      await entity.open({ domain: entity.options.domain });
      await online;
    } catch (err) {
      await entity.disconnect().catch(() => {});
      throw err;
    }
  }

  #makeKeepalive(opts: ConnectionOptions): Keepalive | undefined {
    if (opts.keepalive === false) return undefined;
    // XEP-0199 §4.2 client-to-server ping; a component pings the server it is attached to,
    // the parent of its domain unless told (any answer, even an error, proves the stream).
    const to =
      opts.keepalive?.to ??
      (opts.mode === "client" ? domainOf(opts.jid) : opts.domain.replace(/^[^.]+\./, ""));
    const probe = (): void => {
      const ping = xml(
        "iq",
        { type: "get", to, id: `ping-${Date.now()}` },
        xml("ping", { xmlns: NS_PING }),
      );
      this.send(ping).catch(() => {});
    };
    const dead = (): void => {
      if (this.#state !== "online") return;
      this.#log.warn({ service: this.#service }, "XMPP server silent after a ping; reconnecting");
      this.#closing = true;
      destroySocket(this.#handle.entity);
    };
    return new Keepalive(probe, dead, opts.keepalive ?? {});
  }

  #fail(err: Error): void {
    this.#state = "failed";
    this.#log.error(
      { err, service: this.#service },
      "XMPP connection failed for good; not retrying",
    );
    if (this.#started !== undefined) {
      this.#started.reject(err);
      this.#started = undefined;
    } else {
      this.emit("failed", err);
    }
  }
}
