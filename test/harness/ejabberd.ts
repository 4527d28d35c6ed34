// A private ejabberd 23.01 for the integration tests: same ManagedServer shape as Prosody.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { findExecutable, isRoot } from "../../core/host/server/install.js";
import {
  MAX_STANZA_SIZE,
  type ComponentSpec,
  type ManagedServer,
} from "../../core/host/server/managed-server.js";
import {
  assertPortsFree,
  freePort,
  pollUntil,
  probeTcp,
  probeXmpp,
  waitPortFree,
} from "../../core/host/server/ports.js";
import {
  captureTail,
  killOnExit,
  killStale,
  run,
  tailFile,
  waitForExit,
} from "../../core/host/server/process.js";
import { registerInBand } from "./ibr.js";
import { renderEjabberdCtlCfg, renderEjabberdYml } from "./ejabberd-config.js";

export interface StartEjabberdOptions {
  /** State directory (config, mnesia spool, logs); chown'ed to the ejabberd user when root. */
  dir: string;
  host?: string;
  mucHost?: string;
  c2sPort?: number;
  componentPort?: number;
  components?: readonly ComponentSpec[];
  /** mod_mam with every room archived by default. Default true. */
  mam?: boolean;
  /** Default 30 s: the Erlang VM starts in ~1-2 s, more on a loaded CI machine. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

const STOP_TIMEOUT_MS = 20_000;

export async function startEjabberd(opts: StartEjabberdOptions): Promise<ManagedServer> {
  const ctl = await findExecutable("ejabberdctl");
  if (!ctl) {
    throw new Error(
      "startEjabberd: ejabberdctl not found. Run `sudo apt-get install -y ejabberd`.",
    );
  }
  // ejabberdctl refuses every user but root and "ejabberd"; as root it su's to "ejabberd".
  if (!isRoot()) throw new Error("startEjabberd: must run as root (ejabberdctl su's to ejabberd)");
  const dir = resolve(opts.dir);
  const host = opts.host ?? "localhost";
  const mucHost = opts.mucHost ?? `rooms.${host}`;
  const c2sPort = opts.c2sPort ?? (await freePort());
  const componentPort = opts.componentPort ?? (await freePort());
  const distPort = await freePort();
  const components = opts.components ?? [];
  const log = opts.logger?.child({ server: "ejabberd", c2sPort });
  const pidFile = join(dir, "ejabberd.pid");
  // Mnesia stamps its files with the node name: derive it from the dir, so a rerun in the
  // same dir finds its own data, and two dirs never share a name.
  const node = `mesh_${createHash("sha1").update(dir).digest("hex").slice(0, 10)}@localhost`;
  const ctlArgs = ["--config-dir", dir, "--spool", join(dir, "spool"), "--logs", join(dir, "logs")];

  await mkdir(join(dir, "spool"), { recursive: true });
  await mkdir(join(dir, "logs"), { recursive: true });
  if (await killStale(pidFile, dir)) log?.warn("killed a stale ejabberd");
  await rm(pidFile, { force: true });
  await writeFile(
    join(dir, "ejabberd.yml"),
    renderEjabberdYml({
      host,
      mucHost,
      c2sPort,
      componentPort,
      components,
      mam: opts.mam ?? true,
      maxStanzaSize: MAX_STANZA_SIZE,
    }),
  );
  await writeFile(join(dir, "ejabberdctl.cfg"), renderEjabberdCtlCfg({ node, distPort, pidFile }));
  await copyFile("/etc/ejabberd/inetrc", join(dir, "inetrc"));
  // The ejabberd user must reach and own everything (mkdtemp dirs are 0700 root).
  await chmod(dir, 0o755);
  await run("chown", ["-R", "ejabberd:ejabberd", dir]);

  const ejabberdctl = (args: string[], label?: string): Promise<unknown> =>
    run(ctl, [...ctlArgs, ...args], { cwd: dir, timeoutMs: 60_000, ...(label ? { label } : {}) });

  let child: ChildProcess | undefined;
  let stopping = false;
  let unhook = (): void => {};
  let beamPid = 0;
  let watchdog: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const started = Date.now();
    const ports: Record<string, number> = { c2sPort, distPort };
    if (components.length > 0) ports.componentPort = componentPort;
    await assertPortsFree(`startEjabberd (${dir})`, "127.0.0.1", ports);
    // Own process group for ejabberdctl; su then starts the VM in a new session, so the VM is
    // reaped by the pid it writes to EJABBERD_PID_PATH (see beamPid below).
    const proc = spawn(ctl, [...ctlArgs, "foreground"], {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    stopping = false;
    beamPid = 0;
    watchdog = spawnWatchdog(pidFile);
    const out = captureTail(proc.stdout);
    const err = captureTail(proc.stderr);
    const pgid = proc.pid ?? 0;
    unhook = killOnExit(() => {
      killPid(beamPid, "SIGKILL");
      killPid(-pgid, "SIGKILL");
    });
    proc.once("exit", (code, signal) => {
      unhook();
      if (!stopping) log?.error({ code, signal }, "ejabberd exited unexpectedly");
    });
    const exited = (): string | undefined =>
      proc.exitCode !== null || proc.signalCode !== null
        ? `exited with ${proc.exitCode ?? proc.signalCode}`
        : undefined;
    const timeoutMs = opts.readyTimeoutMs ?? 30_000;
    try {
      await pollUntil(
        `ejabberd c2s 127.0.0.1:${c2sPort}`,
        () => probeXmpp("127.0.0.1", c2sPort, host),
        {
          timeoutMs,
          intervalMs: 50,
          abort: exited,
        },
      );
      if (components.length > 0) {
        await pollUntil(
          `ejabberd component port ${componentPort}`,
          () => probeTcp("127.0.0.1", componentPort),
          { timeoutMs, abort: exited },
        );
      }
    } catch (e) {
      stopping = true;
      killPid(await readPid(pidFile), "SIGKILL");
      killPid(-pgid, "SIGKILL");
      await waitForExit(proc, STOP_TIMEOUT_MS);
      watchdog?.kill("SIGTERM");
      const tail = [await tailFile(join(dir, "logs", "error.log")), err(), out()].filter(Boolean);
      throw new Error(
        `startEjabberd failed (config dir ${dir}): ${(e as Error).message}\n${tail.join("\n")}`,
      );
    }
    beamPid = await readPid(pidFile);
    log?.info({ pid: beamPid, ms: Date.now() - started, dir }, "ejabberd ready");
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    stopping = true;
    try {
      await ejabberdctl(["stop"]);
    } catch (e) {
      log?.warn({ err: e }, "ejabberdctl stop failed; terminating the VM");
      killPid(beamPid, "SIGTERM"); // the VM stops gracefully on SIGTERM (OTP 19+)
    }
    await waitForExit(proc, STOP_TIMEOUT_MS);
    watchdog?.kill("SIGTERM");
    // The VM may outlive the ejabberdctl shell by a moment: wait for the ports themselves.
    await waitPortFree(c2sPort, "127.0.0.1", STOP_TIMEOUT_MS);
    await waitPortFree(componentPort, "127.0.0.1", STOP_TIMEOUT_MS);
    await waitPortFree(distPort, "127.0.0.1", STOP_TIMEOUT_MS);
    log?.info({ pid: beamPid }, "ejabberd stopped");
  };

  await launch();
  return {
    kind: "ejabberd",
    host,
    mucHost,
    c2sPort,
    componentPort,
    service: `xmpp://127.0.0.1:${c2sPort}`,
    componentService: `xmpp://127.0.0.1:${componentPort}`,
    maxStanzaSize: MAX_STANZA_SIZE,
    dir,
    get pid() {
      return beamPid;
    },
    async register(user, password) {
      if ((await registerInBand("127.0.0.1", c2sPort, host, user, password)) === "created") return;
      // Same contract as Prosody's: registering an existing account sets its password.
      await ejabberdctl(
        ["change_password", user, host, password],
        `ejabberdctl change_password ${user}`,
      );
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}

/**
 * The VM lives in su's new session, out of reach of a SIGKILLed parent and its exit hook. This
 * shell holds a pipe from us: when we die for any reason the pipe closes, `read` returns, and
 * the VM whose pid is in `pidFile` (written once it boots) is killed. Unref'd, so it never
 * keeps the test process alive; stop() kills it once the VM has exited.
 */
function spawnWatchdog(pidFile: string): ChildProcess {
  const script = 'read _; [ -s "$1" ] && kill -KILL "$(cat "$1")" 2>/dev/null';
  const dog = spawn("/bin/sh", ["-c", script, "watchdog", pidFile], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return dog;
}

/** Signal a pid (or, negative, a process group); 0 and gone processes are ignored. */
function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    if (pid > 1 || pid < -1) process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function readPid(pidFile: string): Promise<number> {
  const text = await readFile(pidFile, "utf8").catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) ? pid : 0;
}
