// A private, managed Prosody: `startup.ts run` with `xmpp: managed`, and the integration tests.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { findExecutable, isRoot } from "./install.js";
import { MAX_STANZA_SIZE, type ComponentSpec, type ManagedServer } from "./managed-server.js";
import {
  assertPortsFree,
  freePort,
  pollUntil,
  probeTcp,
  probeXmpp,
  waitPortFree,
} from "./ports.js";
import { Backoff, DEFAULT_BACKOFF } from "../../sdk/backoff.js";
import { captureTail, killOnExit, killStale, run, tailFile, waitForExit } from "./process.js";
import { renderProsodyConfig } from "./prosody-config.js";

export interface StartProsodyOptions {
  /** State directory: config, data, certs and logs go under it. Created when missing. */
  dir: string;
  host?: string;
  mucHost?: string;
  /** Address all listeners bind. Default 127.0.0.1: plaintext auth is only safe on loopback. */
  bind?: string;
  /** Default: a free port. */
  c2sPort?: number;
  /** Default: a free port. */
  componentPort?: number;
  components?: readonly ComponentSpec[];
  /** Load muc_mam with every room archived (XEP-0313). Default true: consumers catch up from it. */
  mam?: boolean;
  /** Items kept per room archive before the oldest are dropped. Default 100000. */
  archiveItemLimit?: number;
  /** Federation with other servers (dialback, no TLS): for local multi-server setups. */
  s2s?: {
    /** Default 5269. */
    port?: number;
    /** Domain → address for peers (and their MUC hosts); our own names are added. */
    peers?: Readonly<Record<string, string>>;
  };
  /**
   * Restart Prosody with backoff when it dies on its own (the managed server: bots reconnect).
   * Default false (tests that kill it on purpose).
   */
  watch?: boolean;
  /** How long to wait for the first stream features. Default 10 s. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

const STOP_TIMEOUT_MS = 10_000;

export async function startProsody(opts: StartProsodyOptions): Promise<ManagedServer> {
  const prosody = await findExecutable("prosody");
  const prosodyctl = await findExecutable("prosodyctl");
  if (!prosody || !prosodyctl) {
    throw new Error(
      "startProsody: prosody is not installed. Run `sudo apt-get install -y prosody` " +
        "(or call ensureProsody() as root).",
    );
  }
  const dir = resolve(opts.dir);
  const host = opts.host ?? "localhost";
  const mucHost = opts.mucHost ?? `rooms.${host}`;
  const bind = opts.bind ?? "127.0.0.1";
  const c2sPort = opts.c2sPort ?? (await freePort(bind));
  const componentPort = opts.componentPort ?? (await freePort(bind));
  let components = opts.components ?? [];
  const log = opts.logger?.child({ server: "prosody", c2sPort });
  const cfgPath = join(dir, "prosody.cfg.lua");

  await mkdir(join(dir, "data"), { recursive: true });
  await mkdir(join(dir, "certs"), { recursive: true });
  let s2s: { port: number; hostsFile: string; resolvConf: string } | undefined;
  if (opts.s2s) {
    s2s = {
      port: opts.s2s.port ?? 5269,
      hostsFile: join(dir, "hosts"),
      resolvConf: join(dir, "resolv.conf"),
    };
    const names: Record<string, string> = { [host]: bind, [mucHost]: bind, ...opts.s2s.peers };
    const hosts = Object.entries(names).map(([name, addr]) => `${addr} ${name}`);
    await writeFile(s2s.hostsFile, hosts.join("\n") + "\n");
    // Nothing answers there: every name a peer needs must be in the hosts file.
    await writeFile(s2s.resolvConf, "nameserver 127.0.0.1\n");
  }
  const sqlArchive = (opts.mam ?? true) && (await hasLuaSqlite());
  const writeConfig = () =>
    writeFile(
      cfgPath,
      renderProsodyConfig({
        dir,
        host,
        mucHost,
        bind,
        c2sPort,
        componentPort,
        components,
        mam: opts.mam ?? true,
        archiveItemLimit: opts.archiveItemLimit ?? 100_000,
        sqlArchive,
        runAsRoot: isRoot(),
        maxStanzaSize: MAX_STANZA_SIZE,
        ...(s2s ? { s2s } : {}),
      }),
    );
  await writeConfig();
  // A Prosody left by a crashed run in this dir would hold the data files (and maybe ports).
  if (await killStale(join(dir, "prosody.pid"), cfgPath)) log?.warn("killed a stale Prosody");

  let child: ChildProcess | undefined;
  let unhook = (): void => {};
  let stopping = false;

  const launch = async (): Promise<void> => {
    const started = Date.now();
    const ports: Record<string, number> = { c2sPort };
    if (components.length > 0) ports.componentPort = componentPort;
    await assertPortsFree(`startProsody (${dir})`, bind, ports);
    // --pdeathsig: even a SIGKILLed parent takes its Prosody along (the exit hook cannot run).
    const setpriv = await findExecutable("setpriv");
    const [cmd, args] = setpriv
      ? [setpriv, ["--pdeathsig", "SIGTERM", prosody, "-F", "--config", cfgPath]]
      : [prosody, ["-F", "--config", cfgPath]];
    // detached: a Ctrl-C meant for the mesh must not kill its server before the bots stop.
    const proc = spawn(cmd, args, { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    stopping = false;
    let ready = false;
    const out = captureTail(proc.stdout);
    const err = captureTail(proc.stderr);
    unhook = killOnExit(() => proc.kill("SIGTERM"));
    proc.once("exit", (code, signal) => {
      unhook();
      if (stopping || child !== proc) return;
      const ranMs = Date.now() - started;
      if (!opts.watch || !ready) {
        log?.error({ code, signal, pid: proc.pid }, "prosody exited unexpectedly");
        return;
      }
      const delay = backoff.delayAfter(ranMs);
      log?.error(
        { code, signal, pid: proc.pid, restartInMs: delay },
        "prosody exited unexpectedly; restarting it",
      );
      relaunch = setTimeout(() => relaunchNow(), delay);
    });
    const exited = (): string | undefined =>
      proc.exitCode !== null || proc.signalCode !== null
        ? `exited with ${proc.exitCode ?? proc.signalCode}`
        : undefined;
    const timeoutMs = opts.readyTimeoutMs ?? 10_000;
    try {
      await pollUntil(`prosody c2s ${bind}:${c2sPort}`, () => probeXmpp(bind, c2sPort, host), {
        timeoutMs,
        abort: exited,
      });
      // mod_component (and its port) loads only when some external component is configured.
      if (components.length > 0) {
        await pollUntil(
          `prosody component port ${bind}:${componentPort}`,
          () => probeTcp(bind, componentPort),
          { timeoutMs, abort: exited },
        );
      }
    } catch (e) {
      stopping = true;
      proc.kill("SIGKILL");
      await waitForExit(proc, STOP_TIMEOUT_MS);
      const tail = [await tailFile(join(dir, "prosody.err")), err(), out()].filter(Boolean);
      throw new Error(
        `startProsody failed (config ${cfgPath}): ${(e as Error).message}\n${tail.join("\n")}`,
      );
    }
    ready = true;
    log?.debug({ pid: proc.pid, ms: Date.now() - started, dir }, "prosody ready");
  };
  const backoff = new Backoff(DEFAULT_BACKOFF);
  let relaunch: NodeJS.Timeout | undefined;
  let closed = false;
  const relaunchNow = (): void => {
    relaunch = undefined;
    if (closed) return;
    launch().catch((err: unknown) => {
      if (closed) return;
      const delay = backoff.delayAfter(0);
      log?.error({ err, restartInMs: delay }, "prosody did not come back; trying again");
      relaunch = setTimeout(() => relaunchNow(), delay);
    });
  };

  const stop = async (): Promise<void> => {
    closed = true;
    if (relaunch) clearTimeout(relaunch);
    relaunch = undefined;
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    stopping = true;
    proc.kill("SIGTERM");
    // Shutdown takes 1-5 s (SERVERS.md); reusing the ports before it ends fails to bind.
    await waitForExit(proc, STOP_TIMEOUT_MS);
    await waitPortFree(c2sPort, bind, STOP_TIMEOUT_MS);
    if (components.length > 0) await waitPortFree(componentPort, bind, STOP_TIMEOUT_MS);
    if (s2s) await waitPortFree(s2s.port, bind, STOP_TIMEOUT_MS);
    log?.info({ pid: proc.pid }, "prosody stopped");
  };

  await launch();
  return {
    kind: "prosody",
    host,
    mucHost,
    c2sPort,
    componentPort,
    service: `xmpp://${bind}:${c2sPort}`,
    componentService: `xmpp://${bind}:${componentPort}`,
    maxStanzaSize: MAX_STANZA_SIZE,
    dir,
    get pid() {
      return child?.pid ?? 0;
    },
    async register(user, password) {
      // Writes the account files directly; a running Prosody reads them on the next login.
      await run(prosodyctl, ["--config", cfgPath, "register", user, host, password], {
        cwd: dir,
        label: `prosodyctl register ${user} ${host}`,
      });
    },
    stop,
    async restart() {
      await stop();
      closed = false;
      await launch();
    },
    async setComponents(list) {
      // Prosody activates a component host only at start: a new one means a restart (the
      // bots reconnect by themselves).
      const key = (l: readonly ComponentSpec[]) => JSON.stringify(l.map((c) => c.domain).sort());
      if (key(list) === key(components)) return;
      components = list;
      await writeConfig();
      await stop();
      closed = false;
      await launch();
    },
  };
}

/** Whether Prosody's SQLite driver (Debian lua-dbi-sqlite3) is installed. */
async function hasLuaSqlite(): Promise<boolean> {
  const { access } = await import("node:fs/promises");
  for (const v of ["5.4", "5.3", "5.2"]) {
    try {
      await access(`/usr/lib/x86_64-linux-gnu/lua/${v}/dbd/sqlite3.so`);
      return true;
    } catch {
      // try the next Lua version
    }
  }
  return false;
}
