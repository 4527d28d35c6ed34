/**
 * `couchdb: managed`: a locally installed Apache CouchDB (the Apache packages put it in
 * /opt/couchdb) run by the supervisor with everything of its own in `<state>/couchdb-managed/`:
 * data/, etc/local.ini and vm.args (written on each start), log/couch.log, couchdb.pid, the
 * admin credentials and port in credentials.json (generated once, mode 0600; the port is kept
 * across runs while free). Bound to 127.0.0.1,
 * restarted with backoff when it dies, stopped with the mesh.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { writeAtomic } from "../../sdk/state-file.js";
import { delimiter, dirname, join } from "node:path";
import type { Logger } from "pino";
import { Backoff, DEFAULT_BACKOFF } from "../../sdk/backoff.js";
import { findExecutable } from "../server/install.js";
import { freePort, isPortFree } from "../server/ports.js";
import { killOnExit, killStale } from "../server/process.js";

export interface ManagedCouch {
  /** `http://127.0.0.1:PORT`, without credentials. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

export function managedCouchDir(stateDir: string): string {
  return join(stateDir, "couchdb-managed");
}

/** The install dir (holding bin/couchdb) at `path`, else /opt/couchdb, else from PATH. */
export async function findCouchInstall(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const runs = async (dir: string) =>
    access(join(dir, "bin", "couchdb"), constants.X_OK).then(
      () => true,
      () => false,
    );
  if (path !== undefined) return (await runs(path)) ? path : undefined;
  if (await runs("/opt/couchdb")) return "/opt/couchdb";
  for (const bin of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const exe = join(bin, "couchdb");
    const real = await realpath(exe).catch(() => undefined);
    if (real !== undefined && (await runs(dirname(dirname(real))))) return dirname(dirname(real));
  }
  return undefined;
}

interface Saved {
  username: string;
  password: string;
  port: number;
}

/** Credentials and port: made once, then the same on every run (mode 0600). */
async function loadSaved(file: string, log: Logger): Promise<Saved> {
  try {
    const saved = JSON.parse(await readFile(file, "utf8")) as Partial<Saved>;
    if (saved.username && saved.password && saved.port) {
      if (await isPortFree(saved.port)) return saved as Saved;
      log.warn({ port: saved.port }, "managed CouchDB: last port taken; using a new one");
      return { ...(saved as Saved), port: await freePort() };
    }
  } catch {
    // first run
  }
  return {
    username: "mesh",
    password: randomBytes(18).toString("base64url"),
    port: await freePort(),
  };
}

export async function startManagedCouch(
  install: string,
  stateDir: string,
  log: Logger,
): Promise<ManagedCouch> {
  const dir = managedCouchDir(stateDir);
  for (const sub of ["", "data", "etc", "log"])
    await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
  // A CouchDB left by a crashed run in this dir would hold the data files and the port.
  const localIni = join(dir, "etc", "local.ini");
  if (await killStale(join(dir, "couchdb.pid"), localIni)) log.warn("killed a stale CouchDB");
  const credFile = join(dir, "credentials.json");
  const saved = await loadSaved(credFile, log);
  await writeAtomic(credFile, JSON.stringify(saved, null, 2) + "\n", { mode: 0o600 });
  await writeConfig(dir, saved);

  const url = `http://127.0.0.1:${saved.port}`;
  const auth = "Basic " + Buffer.from(`${saved.username}:${saved.password}`).toString("base64");
  const backoff = new Backoff(DEFAULT_BACKOFF);
  let proc: ChildProcess | undefined;
  let stopped = false;
  let relaunch: NodeJS.Timeout | undefined;

  // --pdeathsig: even a SIGKILLed supervisor takes its CouchDB along (bin/couchdb execs the VM).
  const setpriv = await findExecutable("setpriv");
  const couchdb = join(install, "bin", "couchdb");
  const [cmd, args] = setpriv ? [setpriv, ["--pdeathsig", "SIGTERM", couchdb]] : [couchdb, []];
  let unhook = (): void => {};

  const launch = async (): Promise<void> => {
    const started = Date.now();
    const p = spawn(cmd, args, {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true, // its own process group: a Ctrl-C goes to the supervisor, which stops it
      env: {
        ...process.env,
        COUCHDB_INI_FILES: `${join(install, "etc", "default.ini")} ${localIni}`,
        COUCHDB_ARGS_FILE: join(dir, "etc", "vm.args"),
        COUCHDB_FAUXTON_DOCROOT: join(dir, "no-fauxton"),
        ERL_CRASH_DUMP: join(dir, "log", "erl_crash.dump"),
        HOME: process.env.HOME ?? dir,
      },
    });
    unhook();
    unhook = killOnExit(() => p.kill("SIGTERM"));
    const errors: string[] = [];
    p.stderr?.on("data", (c: Buffer) => {
      errors.push(c.toString());
      if (errors.length > 20) errors.shift();
    });
    try {
      await untilUp(url, auth, p, 60_000);
    } catch (err) {
      p.kill("SIGKILL");
      throw new Error(
        `managed CouchDB (${install}): ${(err as Error).message}\n${errors.join("").slice(-2000)}`,
      );
    }
    if (stopped) {
      p.kill("SIGTERM");
      return;
    }
    proc = p;
    // bin/couchdb execs the Erlang VM: this pid is CouchDB's own (for an operator's kill/ps).
    await writeFile(join(dir, "couchdb.pid"), `${p.pid ?? ""}\n`);
    p.once("exit", (code, signal) => {
      if (proc !== p) return; // stopped on purpose
      proc = undefined;
      const again = (delay: number): void => {
        log.error({ code, signal, restartInMs: delay }, "managed CouchDB died; restarting it");
        relaunch = setTimeout(() => {
          relaunch = undefined;
          launch().catch((err: unknown) => {
            log.error({ err }, "managed CouchDB did not come back");
            if (!stopped) again(backoff.delayAfter(0));
          });
        }, delay);
      };
      again(backoff.delayAfter(Date.now() - started));
    });
  };
  await launch();
  log.info({ couchdb: url, install, dir }, "managed CouchDB running");
  return {
    url,
    username: saved.username,
    password: saved.password,
    async stop() {
      stopped = true;
      unhook();
      if (relaunch) clearTimeout(relaunch);
      const p = proc;
      proc = undefined;
      if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 8000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** local.ini and vm.args: single node on 127.0.0.1, our admin, the data dir in the state dir. */
async function writeConfig(dir: string, saved: Saved): Promise<void> {
  const keep = async (name: string) => {
    const file = join(dir, "etc", name);
    const old = await readFile(file, "utf8").catch(() => "");
    if (old.trim() !== "") return old.trim();
    const made = randomBytes(16).toString("hex");
    await writeFile(file, made, { mode: 0o600 });
    return made;
  };
  const uuid = await keep("uuid");
  const secret = await keep("secret");
  const data = join(dir, "data");
  // CouchDB hashes the admin password into the last ini file on start: this one, mode 0600.
  const ini = `; written by startup.ts on each start (couchdb: managed)
[couchdb]
single_node = true
uuid = ${uuid}
database_dir = ${data}
view_index_dir = ${data}

[cluster]
n = 1

[chttpd]
bind_address = 127.0.0.1
port = ${saved.port}

[httpd]
bind_address = 127.0.0.1

[chttpd_auth]
secret = ${secret}

[smoosh]
state_dir = ${data}

[prometheus]
additional_port = false

[nouveau]
enable = false

[log]
writer = file
file = ${join(dir, "log", "couch.log")}
level = warning

[admins]
${saved.username} = ${saved.password}
`;
  await writeFile(join(dir, "etc", "local.ini"), ini, { mode: 0o600 });
  // Erlang distribution on a random loopback port, no epmd daemon: several can run side by side.
  const args = `-name couchdb@127.0.0.1
-setcookie ${randomBytes(16).toString("hex")}
-start_epmd false
-erl_epmd_port 0
-kernel inet_dist_use_interface {127,0,0,1}
-kernel error_logger silent
-sasl sasl_error_logger false
+Bd -noinput
-os_mon start_cpu_sup false
-os_mon start_memsup false
`;
  await writeFile(join(dir, "etc", "vm.args"), args, { mode: 0o600 });
}

async function untilUp(
  url: string,
  auth: string,
  p: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (p.exitCode !== null || p.signalCode !== null)
      throw new Error(`exited with ${p.exitCode ?? p.signalCode}`);
    const res = await fetch(`${url}/_up`, { headers: { authorization: auth } }).catch(
      () => undefined,
    );
    if (res?.status === 200) return;
    if (Date.now() > until) throw new Error(`/_up did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
