import { parseArgs } from "node:util";
import { sendControl } from "../supervisor/control.js";
import { runningSupervisor } from "../supervisor/lock.js";
import { CliError } from "./errors.js";
import { DEFAULT_CONFIG, loadChecked } from "./load.js";

const HELP = `usage: npx tsx startup.ts restart ID [--config FILE]
Restarts one bot instance of the running mesh now (its config as the mesh last loaded it;
after editing the config, send the supervisor SIGHUP instead).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string", default: DEFAULT_CONFIG },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new CliError(`expected one instance ID\n${HELP}`);
  const config = await loadChecked(values.config);
  if (!config.instances.some((i) => i.id === id)) {
    const have = config.instances.map((i) => i.id).join(", ");
    throw new CliError(`no instance ${id} in ${config.file} (have ${have})`);
  }
  if (runningSupervisor(config.stateDir) === undefined) {
    throw new CliError(`the mesh is not running on ${config.stateDir}`, 3);
  }
  const reply = await sendControl(config.stateDir, { cmd: "restart", id });
  if (reply === undefined) throw new CliError("the supervisor has no control socket", 1);
  if (!reply.ok) throw new CliError(reply.message, 1);
  process.stdout.write(`${reply.message}\n`);
  return 0;
}
