/**
 * One mesh per state directory: `startup.ts run` holds `<state>/mesh.pid` while it runs. A
 * second start finds the first one alive and leaves everything as it is; a pid file left by a
 * SIGKILLed supervisor names a dead process (or another program) and is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { isAlive } from "../server/process.js";
import { CliError } from "../cli/errors.js";

export function lockFile(stateDir: string): string {
  return join(stateDir, "mesh.pid");
}

/** The pid of the supervisor running on this state dir, if one is. */
export function runningSupervisor(stateDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(lockFile(stateDir), "utf8").trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !isAlive(pid)) return undefined;
  // A reused pid belongs to some other program: only ours runs startup.ts.
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return pid; // no /proc: trust the pid
  }
  return cmdline.includes("startup.ts") ? pid : undefined;
}

/** Take the state dir for this process, or say which mesh has it. Released at exit. */
export function acquireMeshLock(stateDir: string): () => void {
  const file = lockFile(stateDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      const release = (): void => {
        try {
          if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file);
        } catch {
          // gone already
        }
      };
      process.once("exit", release);
      return () => {
        process.off("exit", release);
        release();
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = runningSupervisor(stateDir);
      if (pid !== undefined) {
        throw new CliError(
          `the mesh is already running on ${stateDir} (supervisor pid ${pid}); ` +
            "`npx tsx startup.ts stop` stops it, `status` shows it",
        );
      }
      rmSync(file, { force: true }); // left by a supervisor that died: take it over
    }
  }
  throw new CliError(`cannot take ${file}: another start is taking it at the same time`);
}
