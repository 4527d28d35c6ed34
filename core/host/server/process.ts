// Child-process plumbing shared by the managed servers: run a tool, reap leftovers, never leak.
import { execFile, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Names the command in errors instead of its arguments (which may hold a password). */
  label?: string;
}

/** Run a command to completion; the error names the command and carries its output. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const out = `${stderr}${stdout}`.trim().split("\n").slice(-20).join("\n");
          const what = opts.label ?? `${cmd} ${args.join(" ")}`;
          const why = err.killed ? "timed out" : `exit code ${String(err.code)}`;
          reject(new Error(`${what} failed (${why})${out ? `:\n${out}` : ""}`));
        } else resolve({ stdout, stderr });
      },
    );
  });
}

/** The last `n` lines of a file, or "" when it does not exist (yet). */
export async function tailFile(path: string, n = 20): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    return text.trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "";
  }
}

/** Keep the last `max` characters a stream wrote: the first lines of a failed start say why. */
export function captureTail(stream: NodeJS.ReadableStream | null, max = 8192): () => string {
  let buf = "";
  stream?.on("data", (chunk: Buffer | string) => {
    buf = (buf + chunk.toString()).slice(-max);
  });
  return () => buf.trim();
}

/**
 * A crashed or exiting parent must not leave a stray server holding ports and data: the 'exit'
 * hook runs on normal exit and uncaught errors (not on SIGKILL; see `setpriv --pdeathsig`).
 */
export function killOnExit(kill: () => void): () => void {
  const hook = (): void => {
    try {
      kill();
    } catch {
      // already gone
    }
  };
  process.on("exit", hook);
  return () => process.off("exit", hook);
}

/** Resolves with the exit code once the child has exited; SIGKILLs it after `timeoutMs`. */
export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by its parent) does not. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) S ...", the state after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc here: kill(0) is all we know
  }
}

/**
 * Reap a server left behind by an earlier run in the same state dir: the pid in `pidfile` is
 * killed only when its command line mentions `marker` (our dir), so a reused pid is safe.
 */
export async function killStale(
  pidfile: string,
  marker: string,
  timeoutMs = 5000,
): Promise<boolean> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidfile, "utf8")).trim(), 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.replace(/\0/g, " ").includes(marker)) return false;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  return true;
}
