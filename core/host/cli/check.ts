import { parseArgs } from "node:util";
import { formatProblems, summarizeProblems } from "../config/describe.js";
import { loadMeshConfig } from "../config/load.js";
import { loadRegistry } from "../config/registry.js";
import { projectRoot } from "../runtime/paths.js";
import { DEFAULT_CONFIG } from "./load.js";

const HELP = `usage: npx tsx startup.ts check [--config FILE]
Checks the mesh config and its roomgraph without connecting anywhere and reports every problem
at once (file, line, instance, key): unknown bots or params, bad values, bad rules and rule
warnings, route cycles, rooms nobody writes. Exit 0 when there is no error, 1 otherwise.`;

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
  const registry = await loadRegistry(projectRoot());
  const { config, problems } = await loadMeshConfig(values.config, { env: process.env, registry });
  if (problems.length > 0) process.stdout.write(formatProblems(problems) + "\n");
  const errors = problems.filter((p) => p.level === "error").length;
  const summary = problems.length ? summarizeProblems(problems) : "no problems";
  const count = config
    ? `${config.instances.length} instances, ${config.roomgraph.routes.length} routes`
    : "";
  process.stdout.write(`${values.config}: ${summary}${count ? ` (${count})` : ""}\n`);
  return errors > 0 ? 1 : 0;
}
