// The processes a mesh left running, found by the run directory in their command lines.
import { readdir, readFile } from "node:fs/promises";

export interface RunningProcess {
  pid: number;
  /** The command line, arguments separated by spaces. */
  cmd: string;
}

/** Processes whose command line names `dir` (bots, Prosody, the CouchDB server). */
export async function processesIn(dir: string): Promise<RunningProcess[]> {
  const out: RunningProcess[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmd = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    // Zombies have an empty command line and are gone once reaped.
    if (cmd.includes(dir)) out.push({ pid: Number(name), cmd: cmd.replace(/\0/g, " ") });
  }
  return out;
}
