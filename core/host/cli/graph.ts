import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { meshToDot, renderSvg } from "../config/graph.js";
import { CliError } from "./errors.js";
import { DEFAULT_CONFIG, loadChecked } from "./load.js";

const HELP = `usage: npx tsx startup.ts graph [--config FILE] [--svg OUT]
Prints the mesh as Graphviz dot: sources -> rooms -> bots -> rooms, with the roomgraph rules
as edge labels. With --svg OUT, also renders it to OUT (needs Graphviz \`dot\`).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", default: DEFAULT_CONFIG },
      svg: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const dot = meshToDot(await loadChecked(values.config));
  process.stdout.write(dot.endsWith("\n") ? dot : dot + "\n");
  if (values.svg !== undefined) {
    const svg = await renderSvg(dot);
    if (svg === undefined) {
      throw new CliError("--svg needs Graphviz: apt-get install -y graphviz", 1);
    }
    await writeFile(values.svg, svg);
    process.stderr.write(`wrote ${values.svg}\n`);
  }
  return 0;
}
