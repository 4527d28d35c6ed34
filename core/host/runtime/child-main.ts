/**
 * Entry point of one bot instance's process, launched by the supervisor:
 *   node --import tsx core/host/runtime/child-main.ts --config FILE --instance ID
 */
import { parseArgs } from "node:util";
import { CliError } from "../cli/errors.js";
import { loadChecked } from "../cli/load.js";
import { EXIT_CONFIG, runInstance } from "./child.js";

const { values } = parseArgs({
  options: { config: { type: "string" }, instance: { type: "string" } },
});
if (values.config === undefined || values.instance === undefined) {
  process.stderr.write("usage: child-main.ts --config FILE --instance ID\n");
  process.exit(EXIT_CONFIG);
}
let code: number;
try {
  code = await runInstance(await loadChecked(values.config), values.instance);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`${values.instance}: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  process.stderr.write(
    `${values.instance}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  code = 1;
}
process.exit(code);
