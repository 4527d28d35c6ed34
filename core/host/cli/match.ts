import { parseArgs } from "node:util";
import { lintRule, parseRule, RuleSyntaxError } from "../../sdk/rules/index.js";
import { CliError } from "./errors.js";
import { eventLine, readEventLines } from "./jsonl.js";

const HELP = `usage: npx tsx startup.ts match RULE [--lint] < events.jsonl
Reads events as JSON lines on stdin in AbuseHelper's sender format (each value a string, a
number, taken as its text, or a list of them) and writes the ones matching RULE as JSON lines
in its receiver format. --lint also prints warnings about the rule on stderr.
Exit 0 when all went well, 2 on a bad rule or when some input line was bad (each is reported
with its line number; later lines are still read).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { lint: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(`expected one RULE argument\n${HELP}`);
  const text = positionals[0] ?? "";
  let rule;
  try {
    rule = parseRule(text);
  } catch (err) {
    if (err instanceof RuleSyntaxError) throw new CliError(`bad rule: ${err.message}`);
    throw err;
  }
  if (values.lint) {
    for (const w of lintRule(text)) process.stderr.write(`warning: ${w.message}\n`);
  }
  let bad = 0;
  for await (const item of readEventLines(process.stdin)) {
    if (item.error !== undefined) {
      bad += 1;
      process.stderr.write(`startup.ts match: stdin line ${item.line}: ${item.error}\n`);
      continue;
    }
    if (item.event && rule.match(item.event)) process.stdout.write(eventLine(item.event) + "\n");
  }
  return bad > 0 ? 2 : 0;
}
