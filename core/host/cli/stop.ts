import { parseArgs } from "node:util";
import { isAlive } from "../server/process.js";
import { sendControl } from "../supervisor/control.js";
import { runningSupervisor } from "../supervisor/lock.js";
import { CliError } from "./errors.js";
import { DEFAULT_CONFIG, loadChecked } from "./load.js";

const HELP = `usage: npx tsx startup.ts stop [--config FILE]
Stops the mesh running on the config's state directory: every bot, then its servers.
Waits until the supervisor has exited. Exit 3 when no mesh is running.`;

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
  const pid = runningSupervisor(config.stateDir);
  if (pid === undefined) {
    process.stdout.write(`no mesh running on ${config.stateDir}\n`);
    return 3;
  }
  // The socket says "stopping" at once; without one (a long state path) a signal does it.
  const reply = await sendControl(config.stateDir, { cmd: "stop" }).catch(() => undefined);
  if (reply === undefined) process.kill(pid, "SIGTERM");
  process.stderr.write(`stopping the mesh (supervisor pid ${pid})...\n`);
  const deadline = Date.now() + 60_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new CliError(`supervisor pid ${pid} still running after 60 s`, 1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write("mesh stopped\n");
  return 0;
}
