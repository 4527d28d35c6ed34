// `startup.ts` commands as child processes, the way a user runs them: arguments, stdin, exit.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  /** Exit code, or null when killed (by `timeoutMs` or the test). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, Node and tsx start-up included. */
  ms: number;
}

export interface CliRun {
  pid: number | undefined;
  done: Promise<CliResult>;
  kill(): void;
}

export interface CliOptions {
  input?: string;
  env?: Record<string, string>;
  /** Kill the command after this long (default 120 s); the result then has code null. */
  timeoutMs?: number;
}

/** Start `npx tsx startup.ts ...args` in the project root; `done` resolves once it exits. */
export function startCli(args: string[], opts: CliOptions = {}): CliRun {
  const started = Date.now();
  const proc = spawn(process.execPath, ["--import", "tsx", "startup.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  proc.stdin.on("error", () => {}); // a command that exits early closes its stdin
  proc.stdin.end(opts.input ?? "");
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve) => {
    proc.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { pid: proc.pid, done, kill: () => proc.kill("SIGTERM") };
}

/** Run a command to its end. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}
