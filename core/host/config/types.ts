import type { BotDefinition, Capability } from "../../sdk/bot.js";
export type { Route } from "../../sdk/bot.js";
import type { Route } from "../../sdk/bot.js";

/** How bots reach the XMPP server. */
export type XmppConfig = ManagedXmpp | ClientXmpp | ComponentXmpp;

/** A private Prosody started and stopped by `startup.ts run` (the demo default). */
export interface ManagedXmpp {
  mode: "managed";
  /** How bots log in to the managed server: accounts registered for them, or one component. */
  login: "client" | "component";
  /** Store room archives (MUC MAM) so consumers can catch up after a restart. */
  mam: boolean;
  /** Client port on 127.0.0.1 (default: the one of the last run, a free one the first time). */
  port?: number;
  /** XEP-0114 component port on 127.0.0.1 (default as `port`). */
  componentPort?: number;
}

/** Each bot logs in with its own account `<instance id>@domain` (or `jid` given per instance). */
export interface ClientXmpp {
  mode: "client";
  /** `xmpps://host:5223` (direct TLS) or `xmpp://host:5222` (STARTTLS; plaintext on loopback only). */
  service: string;
  domain: string;
  /** MUC service that short room names resolve against, e.g. `conference.example.org`. */
  muc: string;
  /** Password shared by bot accounts unless an instance sets its own (from `${VAR}`). */
  password?: string;
  /** Verify the server's TLS certificate (default true; only turn off for a lab). */
  verifyTls: boolean;
}

/** All bots of a host connect under one XEP-0114 component domain; no accounts needed. */
export interface ComponentXmpp {
  mode: "component";
  /** `xmpp://host:5347` component port. */
  service: string;
  /** Component domain, e.g. `bots.example.org`. */
  domain: string;
  muc: string;
  secret: string;
}

/**
 * Which CouchDB the bots use when COUCHDB_URL is not set: the embedded CouchDB-compatible
 * server, or a locally installed Apache CouchDB that `startup.ts run` starts in the state dir.
 */
export type CouchConfig = { mode: "embedded" } | { mode: "managed"; path?: string };

/** Per-room publishing settings from rooms.yaml. */
export interface RoomSettings {
  /** `compact`: batched `<e>` for machine rooms; `legacy`: one event per message with a body. */
  form: "compact" | "legacy";
}

export interface RoomGraph {
  file: string;
  rooms: Record<string, RoomSettings>;
  routes: Route[];
}

export interface InstanceConfig {
  /** Unique id; also the XMPP account/nick of the bot. */
  id: string;
  /** Bot name, found in bots/<name>/ or bots/contrib/<name>/. */
  bot: string;
  /** The bot's params, checked and parsed by its specs (after `${VAR}` substitution). */
  params: Record<string, unknown>;
  /** Rooms the bot reads (handlers and sinks). Full JIDs or short names. */
  in: string[];
  /** Rooms the bot writes (sources and handlers). */
  out: string[];
  /** Own password for client mode, when not the shared one. */
  password?: string;
  /**
   * Consumers: read the input rooms' archives (MAM) from the last checkpoint, and on the first
   * start back this many ms; 0: live messages only (sources: always 0).
   */
  catchUp: number;
  /** Sources: a made event with bad typed values goes to the dead letters, or loses them. */
  invalid: "dead-letter" | "drop-value";
  /** What the bot needs from the host (the embedded CouchDB starts only when some bot does). */
  needs: readonly Capability[];
  /** Whether the supervisor runs it (default true). */
  enabled: boolean;
}

export interface MeshConfig {
  /** Absolute path of the config file. */
  file: string;
  xmpp: XmppConfig;
  /** Absolute state directory (spools, checkpoints, managed servers). */
  stateDir: string;
  /** Lobby room for control and status. */
  lobby: string;
  /** Bare JIDs allowed to use !status and other control commands. */
  admins: string[];
  roomgraph: RoomGraph;
  instances: InstanceConfig[];
  /** Default publishing form for rooms not named in rooms.yaml. */
  defaultRoom: RoomSettings;
  /** Largest message a bot sends, in bytes (`message_bytes`, default 64 KiB). */
  messageBytes: number;
  /** `couchdb:` (default embedded). */
  couchdb?: CouchConfig;
}

/** A problem found while checking config: where it is and what is wrong. */
export interface ConfigProblem {
  level: "error" | "warning";
  file: string;
  /** Instance id, route or setting the problem is in, e.g. `bots[2] (id drop)` or `routes[0]`. */
  where: string;
  key?: string;
  /** Line in `file` (1-based) when the YAML document could tell it. */
  line?: number;
  message: string;
}

/**
 * Bots by name. `loadRegistry` also lists modules that failed to load under `problems`, so the
 * config check can say why a bot is missing instead of calling it unknown.
 */
export type BotRegistry = Map<string, { def: BotDefinition; file: string }> & {
  readonly problems?: readonly ConfigProblem[];
};
