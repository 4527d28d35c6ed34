// A real Apache CouchDB for tests, from the tarball named by COUCHDB_TARBALL (../shared/couchdb,
// set by .ci/run), started with the couchdb-start.sh beside it (or COUCHDB_START) on a free
// loopback port. No vitest import: the global setup (test/setup/servers.ts) uses it too.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** What a test needs to reach a CouchDB and to take it down and up again. */
export interface TestCouch {
  kind: CouchKind;
  /** Without credentials. */
  url: string;
  username?: string;
  password?: string;
  /** With credentials, for COUCHDB_URL. */
  authUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export type CouchKind = "embedded" | "real";

/** The tarball of the real CouchDB, or undefined (then the "real" variants are skipped). */
export const COUCHDB_TARBALL = process.env.COUCHDB_TARBALL
  ? resolve(process.env.COUCHDB_TARBALL)
  : undefined;

const ADMIN = "admin";
const PASSWORD = "test-secret";

function startScript(tarball: string): string {
  return process.env.COUCHDB_START ?? join(dirname(tarball), "couchdb-start.sh");
}

/** Unpack the tarball into a fresh temp dir; the release dir (with bin/couchdb) and a cleanup. */
export async function unpackCouch(
  tarball: string,
): Promise<{ release: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "couchdb-rel-"));
  await exec("tar", ["-xzf", tarball, "-C", dir]);
  const release = join(dir, "couchdb");
  if (!existsSync(join(release, "bin", "couchdb")))
    throw new Error(`${tarball}: no couchdb/bin/couchdb inside`);
  return { release, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

/** Start a real CouchDB from an unpacked `release` with data in `dataDir` (kept on stop). */
export async function startRealCouch(release: string, dataDir: string): Promise<TestCouch> {
  const tarball = COUCHDB_TARBALL ?? "";
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const launch = async () => {
    const p = spawn(startScript(tarball), [release, dataDir, String(port), ADMIN, PASSWORD], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, COUCHDB_LOG_LEVEL: "error" },
    });
    const errors: string[] = [];
    p.stderr?.on("data", (c: Buffer) => errors.push(c.toString()));
    await new Promise<void>((ok, fail) => {
      const lines = createInterface({ input: p.stdout });
      lines.on("line", (line) => {
        if (line.startsWith("COUCHDB_UP")) ok();
        else if (line.startsWith("COUCHDB_FAILED"))
          fail(new Error(`${line}\n${errors.join("").slice(-2000)}`));
      });
      p.once("exit", (code) =>
        fail(new Error(`couchdb-start.sh exited ${code}\n${errors.join("").slice(-2000)}`)),
      );
    });
    proc = p;
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    const timer = setTimeout(() => p.kill("SIGKILL"), 8000);
    await gone;
    clearTimeout(timer);
  };
  await launch();
  const url = `http://127.0.0.1:${port}`;
  return {
    kind: "real",
    url,
    username: ADMIN,
    password: PASSWORD,
    authUrl: `http://${ADMIN}:${PASSWORD}@127.0.0.1:${port}`,
    stop,
    start: async () => {
      if (proc === undefined) await launch();
    },
  };
}
