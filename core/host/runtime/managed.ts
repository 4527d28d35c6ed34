import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { writeAtomic } from "../../sdk/state-file.js";
import { join } from "node:path";
import type { Logger } from "pino";
import type { MeshConfig } from "../config/types.js";
import { ensureProsody } from "../server/install.js";
import { freePort, isPortFree } from "../server/ports.js";
import { startProsody } from "../server/prosody.js";

/** What bot processes need to reach the managed server; written to the state dir (mode 0600). */
export interface ManagedConnection {
  login: "client" | "component";
  service: string;
  /** Client: the accounts' domain. Component: the component domain. */
  domain: string;
  muc: string;
  /** Client: password per instance id. */
  accounts: Record<string, string>;
  /** Component: the shared secret. */
  secret?: string;
}

export interface Managed {
  connection: ManagedConnection;
  stop(): Promise<void>;
  /** Accounts or components for the instances of a reloaded config. */
  update(config: MeshConfig): Promise<void>;
}

/** Managed component login: bot `x` is the component `x.bots.localhost`. */
export const COMPONENT_BASE = "bots.localhost";

export function connectionFile(stateDir: string): string {
  return join(stateDir, "managed", "connection.json");
}

interface Credentials {
  secret: string;
  accounts: Record<string, string>;
  operators: Record<string, string>;
}

const token = () => randomBytes(18).toString("base64url");

/**
 * With `xmpp: managed`, start a private Prosody in the state directory, register an account
 * for every bot (and for admins on `localhost`, so an operator can log in and watch), and
 * write the connection for the bot processes. Credentials are generated once and kept.
 */
export async function startManaged(config: MeshConfig, log: Logger): Promise<Managed | undefined> {
  if (config.xmpp.mode !== "managed") return undefined;
  const { login, mam } = config.xmpp;
  const dir = join(config.stateDir, "managed");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const creds = await loadCredentials(join(dir, "credentials.json"));

  await ensureProsody({ logger: log });
  const ports = await choosePorts(join(dir, "ports.json"), config.xmpp, log);
  // Component login: one component domain per bot (`<id>.bots.localhost`), since Prosody
  // takes one connection per component domain and every bot is a process of its own.
  const components = (c: MeshConfig) =>
    login === "component"
      ? c.instances.map((i) => ({ domain: `${i.id}.${COMPONENT_BASE}`, secret: creds.secret }))
      : [];
  const server = await startProsody({
    dir: join(config.stateDir, "prosody"),
    c2sPort: ports.c2s,
    componentPort: ports.component,
    watch: true,
    components: components(config),
    mam,
    logger: log.child({ server: "prosody" }),
  });
  log.info({ service: server.service, muc: server.mucHost, login }, "managed Prosody running");

  const connection: ManagedConnection = {
    login,
    service: login === "component" ? server.componentService : server.service,
    domain: login === "component" ? COMPONENT_BASE : server.host,
    muc: server.mucHost,
    accounts: {},
  };
  if (login === "component") connection.secret = creds.secret;
  // One account per bot (client login), and `mesh-cli` for the send/receive tools.
  const register = async (c: MeshConfig) => {
    const users = [...(login === "client" ? c.instances.map((i) => i.id) : []), "mesh-cli"];
    for (const user of users) {
      if (connection.accounts[user] !== undefined) continue;
      creds.accounts[user] ??= token();
      connection.accounts[user] = creds.accounts[user] ?? "";
      await server.register(user, connection.accounts[user] ?? "");
    }
  };
  await register(config);
  for (const admin of config.admins) {
    const [user, host] = admin.split("@");
    if (user === undefined || host !== server.host) continue;
    creds.operators[user] ??= token();
    await server.register(user, creds.operators[user] ?? "");
  }
  await saveSecret(join(dir, "credentials.json"), creds);
  await saveSecret(connectionFile(config.stateDir), connection);
  if (Object.keys(creds.operators).length > 0) {
    log.info(
      {
        accounts: Object.keys(creds.operators).map((u) => `${u}@${server.host}`),
        file: join(dir, "credentials.json"),
        c2s: `127.0.0.1:${server.c2sPort}`,
      },
      "operator accounts ready: passwords are in the credentials file",
    );
  }
  return {
    connection,
    stop: () => server.stop(),
    // SIGHUP: bots added to the config get their account or component before they start.
    async update(next) {
      await register(next);
      await server.setComponents?.(components(next));
      await saveSecret(join(dir, "credentials.json"), creds);
      await saveSecret(connectionFile(config.stateDir), connection);
    },
  };
}

interface Ports {
  c2s: number;
  component: number;
}

/**
 * The ports of the last run, so an operator's client need not be re-pointed after a restart:
 * the config's when it names them, else the remembered ones while free, else new free ones.
 */
async function choosePorts(
  file: string,
  xmpp: { port?: number; componentPort?: number },
  log: Logger,
): Promise<Ports> {
  let last: Partial<Ports> = {};
  try {
    last = JSON.parse(await readFile(file, "utf8")) as Partial<Ports>;
  } catch {
    // first run
  }
  const pick = async (given: number | undefined, before: number | undefined, what: string) => {
    if (given !== undefined) return given; // taken: Prosody's start says so
    if (before !== undefined && (await isPortFree(before))) return before;
    const port = await freePort();
    if (before !== undefined) {
      log.warn(
        { was: before, now: port },
        `the ${what} port of the last run is taken; clients must use the new one`,
      );
    }
    return port;
  };
  const c2s = await pick(xmpp.port, last.c2s, "client");
  let component = await pick(xmpp.componentPort, last.component, "component");
  while (component === c2s) component = await freePort();
  await writeFile(file, `${JSON.stringify({ c2s, component })}\n`);
  return { c2s, component };
}

async function loadCredentials(file: string): Promise<Credentials> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Credentials;
  } catch {
    return { secret: token(), accounts: {}, operators: {} };
  }
}

/** Credentials and the connection: readable by the mesh's user only, replaced atomically. */
function saveSecret(file: string, data: unknown): Promise<void> {
  return writeAtomic(file, JSON.stringify(data, null, 2), { mode: 0o600 });
}

/** Read the connection the supervisor wrote (bot processes call this). */
export async function readManagedConnection(stateDir: string): Promise<ManagedConnection> {
  const file = connectionFile(stateDir);
  try {
    return JSON.parse(await readFile(file, "utf8")) as ManagedConnection;
  } catch (err) {
    throw new Error(
      `managed XMPP: cannot read ${file} (is \`startup.ts run\` running?): ${String(err)}`,
    );
  }
}
