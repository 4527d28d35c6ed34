/**
 * Entry point of the embedded CouchDB-compatible server's own process (started by
 * couch-server.ts): express-pouchdb on PouchDB with data on disk. It runs apart from the bots
 * so that one bad request (SERVERS.md: `_changes?filter=_selector` throws) cannot take a bot down.
 *   node --import tsx core/host/storage/couch-main.ts --dir DIR [--port N]
 * Prints `{"port": N}` on stdout once listening.
 */
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import express from "express";
import expressPouchDB from "express-pouchdb";
import PouchDB from "pouchdb-core";
import leveldb from "pouchdb-adapter-leveldb";
import http from "pouchdb-adapter-http";
import mapreduce from "pouchdb-mapreduce";
import replication from "pouchdb-replication";
import find from "pouchdb-find";

const { values } = parseArgs({ options: { dir: { type: "string" }, port: { type: "string" } } });
if (values.dir === undefined) {
  process.stderr.write("usage: couch-main.ts --dir DIR [--port N]\n");
  process.exit(2);
}
const dir = values.dir;
await mkdir(join(dir, "data"), { recursive: true });

// SERVERS.md: a bad request can throw outside any handler; log it and keep serving.
process.on("uncaughtException", (err) => {
  process.stderr.write(`couchdb: uncaught: ${err.stack ?? err.message}\n`);
});
process.on("unhandledRejection", (err) => {
  process.stderr.write(`couchdb: unhandled rejection: ${String(err)}\n`);
});
// Our parent holds an IPC channel; when it goes, so do we (no orphan servers).
process.once("disconnect", () => process.exit(0));
// The parent may have died while this process was loading (before the listener was there).
if (process.send !== undefined && !process.connected) process.exit(0);
process.once("SIGTERM", () => process.exit(0));

const Pouch = PouchDB.plugin(leveldb)
  .plugin(http)
  .plugin(mapreduce)
  .plugin(replication)
  .plugin(find)
  .defaults({ prefix: join(dir, "data") + "/", adapter: "leveldb" });
const app = express();
app.use(
  "/",
  expressPouchDB(Pouch, {
    mode: "fullCouchDB",
    configPath: join(dir, "config.json"),
    logPath: join(dir, "log.txt"),
  }),
);
const server = app.listen(Number(values.port ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ port }) + "\n");
});
server.on("error", (err) => {
  process.stderr.write(`couchdb: cannot listen: ${err.message}\n`);
  process.exit(1);
});
