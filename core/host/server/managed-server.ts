// The shape every private XMPP server has, whichever software runs it (Prosody, ejabberd).

/**
 * An XEP-0114 external component the server accepts. Each bot is its own component domain:
 * Prosody and ejabberd take one connection per component domain, and each bot is a process.
 */
export interface ComponentSpec {
  domain: string;
  secret: string;
}

export interface ManagedServer {
  /** Which software runs it. */
  readonly kind: "prosody" | "ejabberd";
  /** The XMPP domain of user accounts, e.g. "localhost". */
  readonly host: string;
  /** The MUC service, e.g. "rooms.localhost". */
  readonly mucHost: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  /** Where clients connect: `xmpp://127.0.0.1:<c2sPort>`. */
  readonly service: string;
  /** Where XEP-0114 components connect: `xmpp://127.0.0.1:<componentPort>`. */
  readonly componentService: string;
  /** Largest stanza the server accepts from clients and components, in bytes. */
  readonly maxStanzaSize: number;
  /** The state directory: config, data, logs. */
  readonly dir: string;
  /** PID of the running server process (changes on restart). */
  readonly pid: number;
  /** Create an account (works while the server runs); an existing one gets the new password. */
  register(user: string, password: string): Promise<void>;
  /** Stop the server; resolves once the process has exited and its ports are free. */
  stop(): Promise<void>;
  /** Stop and start again on the same ports and data (accounts and archives survive). */
  restart(): Promise<void>;
  /** Accept these components from now on (restarts the server when the set changed). */
  setComponents?(components: readonly ComponentSpec[]): Promise<void>;
}

/** Stanza size limit the managed servers are configured with: room for big event batches. */
export const MAX_STANZA_SIZE = 1024 * 1024;
