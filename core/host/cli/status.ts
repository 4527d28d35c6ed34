import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatUptime } from "../runtime/lobby.js";
import { isAlive } from "../server/process.js";
import { runningSupervisor } from "../supervisor/lock.js";
import type { InstanceStatus } from "../supervisor/supervisor.js";
import { DEFAULT_CONFIG, loadChecked } from "./load.js";

const HELP = `usage: npx tsx startup.ts status [--config FILE]
Shows each instance of a running mesh: state, pid, restarts, uptime, last exit.
Exit 0 when the supervisor is running, 3 when it is not.`;

interface StatusFile {
  pid: number;
  updatedAt: number;
  instances: InstanceStatus[];
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", default: DEFAULT_CONFIG },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const config = await loadChecked(values.config);
  const file = join(config.stateDir, "supervisor.json");
  let status: StatusFile;
  try {
    status = JSON.parse(await readFile(file, "utf8")) as StatusFile;
  } catch {
    process.stdout.write(
      `mesh not running (no ${file}); start it with: npx tsx startup.ts run --config ${values.config}\n`,
    );
    return 3;
  }
  const running = isAlive(status.pid) && runningSupervisor(config.stateDir) === status.pid;
  process.stdout.write(
    `supervisor pid ${status.pid}: ${running ? "running" : "not running (stale status below)"}\n`,
  );
  const rows = [["INSTANCE", "STATE", "PID", "RESTARTS", "UPTIME", "LAST EXIT"]];
  for (const s of status.instances) {
    const up =
      s.state === "running" && s.startedAt !== undefined
        ? formatUptime(Date.now() - s.startedAt)
        : "-";
    rows.push([
      s.id,
      running ? s.state : "unknown",
      String(s.pid ?? "-"),
      String(s.restarts),
      up,
      s.lastExit ?? "-",
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const r of rows)
    process.stdout.write(
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd() + "\n",
    );
  return running ? 0 : 3;
}
