// Real XMPP servers for vitest suites: a fresh private instance per suite, in a temp dir.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { afterAll, beforeAll, describe } from "vitest";
import type { ComponentSpec, ManagedServer } from "../../core/host/server/managed-server.js";
import { startProsody } from "../../core/host/server/prosody.js";
import { startEjabberd } from "./ejabberd.js";

export type ServerKind = "prosody" | "ejabberd";
export const SERVER_KINDS: readonly ServerKind[] = ["prosody", "ejabberd"];

/** The XEP-0114 component every test server accepts (loopback only, so a fixed secret is fine). */
export const TEST_COMPONENT: ComponentSpec = { domain: "bots.localhost", secret: "botsecret" };

export interface TestServerOptions {
  components?: readonly ComponentSpec[];
  mam?: boolean;
  logger?: Logger;
}

// Quiet unless asked: LOG_LEVEL=info shows start/stop timings of every server.
const defaultLogger = (): Logger => pino({ level: process.env.LOG_LEVEL ?? "warn" });

/**
 * Start a server of `kind` in a fresh temp dir. Its stop() also removes the dir, unless
 * KEEP_SERVER_DIRS=1 is set (to read logs after a failure).
 */
export async function startTestServer(
  kind: ServerKind,
  opts: TestServerOptions = {},
): Promise<ManagedServer> {
  const dir = await mkdtemp(join(tmpdir(), `mesh-${kind}-`));
  const base = {
    dir,
    components: opts.components ?? [TEST_COMPONENT],
    mam: opts.mam ?? true,
    logger: opts.logger ?? defaultLogger(),
  };
  let server: ManagedServer;
  try {
    server = kind === "prosody" ? await startProsody(base) : await startEjabberd(base);
  } catch (err) {
    if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = server.stop.bind(server);
  return Object.assign(server, {
    async stop() {
      await stop();
      if (process.env.KEEP_SERVER_DIRS !== "1") await rm(dir, { recursive: true, force: true });
    },
  });
}

/**
 * Register beforeAll/afterAll hooks that run a server for the enclosing describe block.
 * Returns an accessor: the server exists only once beforeAll has run.
 */
export function withServer(kind: ServerKind, opts: TestServerOptions = {}): () => ManagedServer {
  let server: ManagedServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(kind, opts);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error(`withServer(${kind}): used before beforeAll started it`);
    return server;
  };
}

/** Run the same suite against every server kind (CI installs both: none is skipped). */
export function describeEachServer(
  name: string,
  fn: (server: () => ManagedServer, kind: ServerKind) => void,
  opts: TestServerOptions = {},
): void {
  for (const kind of SERVER_KINDS) {
    describe(`${name} [${kind}]`, () => fn(withServer(kind, opts), kind));
  }
}
