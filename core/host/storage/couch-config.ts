import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { writeAtomic } from "../../sdk/state-file.js";
import { join } from "node:path";
import type { Logger } from "pino";
import type { CouchService } from "../../sdk/bot.js";
import type { CouchConfig } from "../config/types.js";
import { findCouchInstall, startManagedCouch } from "./couch-managed.js";
import { startCouchServer, type CouchServer } from "./couch-server.js";

/** Where `startup.ts run` tells bot processes the embedded server's URL. */
export function couchUrlFile(stateDir: string): string {
  return join(stateDir, "couchdb", "url");
}

/**
 * With COUCHDB_URL unset, start the embedded CouchDB-compatible server in `stateDir/couchdb`
 * and write its URL for the bots; with it set, the bots use that server and nothing starts.
 */
export async function startEmbeddedCouch(
  stateDir: string,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CouchServer | undefined> {
  if (env.COUCHDB_URL) {
    log.info({ couchdb: safeUrl(env.COUCHDB_URL) }, "CouchDB from COUCHDB_URL");
    return undefined;
  }
  const dir = join(stateDir, "couchdb");
  await mkdir(dir, { recursive: true });
  const file = couchUrlFile(stateDir);
  await rm(file, { force: true });
  const server = await startCouchServer({ dir, watch: { log } });
  await writeFile(file, server.url);
  log.info({ couchdb: server.url, dir }, "embedded CouchDB-compatible server running");
  return server;
}

/**
 * The CouchDB of a mesh whose bots need one: none with COUCHDB_URL (the bots use it); with
 * `couchdb: managed` the installed Apache CouchDB (its URL with the admin credentials in the
 * URL file, mode 0600), or the embedded server when none is installed; else the embedded one.
 */
export async function startMeshCouch(
  config: { stateDir: string; couchdb?: CouchConfig },
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stop(): Promise<void> } | undefined> {
  const want = config.couchdb ?? { mode: "embedded" };
  if (env.COUCHDB_URL || want.mode !== "managed") {
    return startEmbeddedCouch(config.stateDir, log, env);
  }
  const install = await findCouchInstall(want.path, env);
  if (install === undefined) {
    const looked = want.path ?? "/opt/couchdb or couchdb on PATH";
    log.warn(
      { looked },
      `couchdb: managed, but no Apache CouchDB installed at ${looked}; using the embedded server`,
    );
    return startEmbeddedCouch(config.stateDir, log, env);
  }
  const file = couchUrlFile(config.stateDir);
  await mkdir(join(config.stateDir, "couchdb"), { recursive: true });
  await rm(file, { force: true });
  const couch = await startManagedCouch(install, config.stateDir, log);
  const url = new URL(couch.url);
  url.username = encodeURIComponent(couch.username);
  url.password = encodeURIComponent(couch.password);
  await writeAtomic(file, url.toString().replace(/\/$/, ""), { mode: 0o600 });
  return couch;
}

/** The CouchDB the bots use: COUCHDB_URL (+ COUCHDB_USER/PASSWORD), else the embedded one. */
export async function couchService(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CouchService | undefined> {
  if (env.COUCHDB_URL) {
    const url = new URL(env.COUCHDB_URL);
    const username = env.COUCHDB_USER ?? (url.username ? decodeURIComponent(url.username) : "");
    const password = env.COUCHDB_PASSWORD ?? (url.password ? decodeURIComponent(url.password) : "");
    const service: CouchService = { url: safeUrl(env.COUCHDB_URL) };
    if (username) service.username = username;
    if (password) service.password = password;
    return service;
  }
  let text: string;
  try {
    text = (await readFile(couchUrlFile(stateDir), "utf8")).trim();
  } catch {
    return undefined;
  }
  // The managed CouchDB's file holds its admin credentials; the embedded server has none.
  const url = new URL(text);
  const service: CouchService = { url: safeUrl(text) };
  if (url.username) service.username = decodeURIComponent(url.username);
  if (url.password) service.password = decodeURIComponent(url.password);
  return service;
}

/** The URL without credentials, safe to log. */
export function safeUrl(text: string): string {
  const url = new URL(text);
  url.username = "";
  url.password = "";
  return url.toString().replace(/\/$/, "");
}
