import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { CouchService } from "../../sdk/bot.js";
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
  try {
    return { url: (await readFile(couchUrlFile(stateDir), "utf8")).trim() };
  } catch {
    return undefined;
  }
}

/** The URL without credentials, safe to log. */
export function safeUrl(text: string): string {
  const url = new URL(text);
  url.username = "";
  url.password = "";
  return url.toString().replace(/\/$/, "");
}
