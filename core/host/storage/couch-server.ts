import { fork, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { Backoff, DEFAULT_BACKOFF } from "../../sdk/backoff.js";

export interface CouchServerOptions {
  /** Data, config and log of the server; created if missing. */
  dir: string;
  /** Default: a free port, kept across restart(). */
  port?: number;
  /** Give up when not listening within this long (default 30 s). */
  startTimeoutMs?: number;
  /** Start it again (same port and data, with backoff) when it dies on its own. */
  watch?: { log: Logger };
}

export interface CouchServer {
  /** `http://127.0.0.1:PORT` (no credentials: the embedded server has none). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Stop and start again on the same port and data (tests: a CouchDB outage). */
  restart(): Promise<void>;
  /** Start again after stop(), on the same port and data. */
  start(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("./couch-main.ts", import.meta.url));

/**
 * Start the embedded CouchDB-compatible server (express-pouchdb on PouchDB, leveldb on disk)
 * in its own process, listening on 127.0.0.1. Used when no COUCHDB_URL is configured.
 */
export async function startCouchServer(opts: CouchServerOptions): Promise<CouchServer> {
  let proc: ChildProcess | undefined;
  let port = opts.port ?? 0;
  let relaunch: NodeJS.Timeout | undefined;
  const backoff = new Backoff(DEFAULT_BACKOFF);
  const launch = async (): Promise<void> => {
    const started = Date.now();
    const spawned = await spawnServer(opts.dir, port, opts.startTimeoutMs ?? 30_000);
    const p = spawned.proc;
    if (stopped) {
      p.kill("SIGTERM"); // stop() came while it was starting
      return;
    }
    proc = p;
    port = spawned.port;
    p.once("exit", (code, signal) => {
      if (proc !== p || !opts.watch) return; // stopped on purpose, or nobody watching
      proc = undefined;
      const log = opts.watch.log;
      const again = (delay: number): void => {
        log.error({ code, signal, restartInMs: delay }, "embedded CouchDB died; restarting it");
        relaunch = setTimeout(() => {
          relaunch = undefined;
          launch().catch((err: unknown) => {
            log.error({ err }, "embedded CouchDB did not come back");
            if (!stopped) again(backoff.delayAfter(0));
          });
        }, delay);
      };
      again(backoff.delayAfter(Date.now() - started));
    });
  };
  let stopped = false;
  const stop = async () => {
    stopped = true;
    if (relaunch) clearTimeout(relaunch);
    relaunch = undefined;
    const p = proc;
    proc = undefined;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    p.kill("SIGTERM");
    const timer = setTimeout(() => p.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    stop,
    start: async () => {
      stopped = false;
      if (proc === undefined) await launch();
    },
    restart: async () => {
      await stop();
      stopped = false;
      await launch();
    },
  };
}

async function spawnServer(
  dir: string,
  port: number,
  timeoutMs: number,
): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(MAIN, ["--dir", dir, "--port", String(port)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    detached: true, // its own process group: a Ctrl-C goes to the supervisor, which stops it
  });
  const errors: string[] = [];
  proc.stderr?.on("data", (chunk: Buffer) => {
    errors.push(chunk.toString());
    if (errors.length > 20) errors.shift();
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      proc.kill("SIGKILL");
      reject(new Error(`embedded CouchDB in ${dir}: ${why}\n${errors.join("").slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${timeoutMs} ms`), timeoutMs);
    proc.once("exit", (code) => fail(`exited with ${code ?? "a signal"} before listening`));
    const lines = createInterface({ input: proc.stdout! });
    lines.once("line", (line) => {
      clearTimeout(timer);
      proc.removeAllListeners("exit");
      try {
        resolve({ proc, port: (JSON.parse(line) as { port: number }).port });
      } catch {
        fail(`unexpected output: ${line}`);
      }
    });
  });
}
