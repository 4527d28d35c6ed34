import { appendFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { MeshConfig } from "../config/types.js";
import {
  DeadLetters,
  isRecord,
  readLetters,
  RESEND,
  type Letter,
} from "../runtime/dead-letters.js";
import { CliError } from "./errors.js";
import { DEFAULT_CONFIG, loadChecked } from "./load.js";

const HELP = `usage: npx tsx startup.ts dead-letters [ID] [--config FILE] [--resend] [--json]
Lists the events the mesh's bots set aside (too large, a handler threw on them, bad typed
values) and the input lines they could not read, per instance: when, the event id (for a
line: the SHA-1 of its text), where it failed and why.
  ID          an instance id, or the start of an event id (default: all)
  --resend    give them back to their instances (handler and sink failures are handled again,
              output failures are published again) and take them off the list; a running
              instance takes them within seconds, a stopped one at its next start;
              lines that did not parse stay listed (fix the source, or send corrected
              events with \`startup.ts send\`)
  --json      one dead letter per line as JSON`;

interface Found {
  instance: string;
  dead: DeadLetters;
  letters: Letter[];
}

function find(config: MeshConfig, id: string | undefined): Found[] {
  const out: Found[] = [];
  const byInstance = config.instances.some((i) => i.id === id);
  for (const inst of config.instances) {
    if (byInstance && inst.id !== id) continue;
    const dead = new DeadLetters(join(config.stateDir, "bots", inst.id));
    const all = readLetters(dead.file);
    const letters = byInstance || id === undefined ? all : all.filter((l) => l.id.startsWith(id));
    if (letters.length > 0) out.push({ instance: inst.id, dead, letters });
  }
  return out;
}

const key = (l: Letter) => `${l.at} ${l.id} ${l.stage}`;

function line(l: Letter): string {
  if (isRecord(l)) {
    const text = l.text.length > 120 ? `${l.text.slice(0, 117)}...` : l.text;
    return `  ${l.at}  ${l.id.slice(0, 12)}  ${l.where}: ${l.reason}\n      ${JSON.stringify(text)}`;
  }
  const where = l.room === undefined ? l.stage : `${l.stage} ${l.room}`;
  return `  ${l.at}  ${l.id.slice(0, 12)}  ${where}: ${l.reason}`;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string", default: DEFAULT_CONFIG },
      resend: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  if (positionals.length > 1) throw new CliError(`expected at most one ID\n${HELP}`);
  const config = await loadChecked(values.config);
  const found = find(config, positionals[0]);
  if (found.length === 0) {
    process.stdout.write(
      positionals[0] === undefined
        ? "no dead letters\n"
        : `no dead letters for ${positionals[0]}\n`,
    );
    return 0;
  }
  for (const f of found) {
    if (values.json) {
      for (const l of f.letters)
        process.stdout.write(`${JSON.stringify({ instance: f.instance, ...l })}\n`);
    } else {
      process.stdout.write(`${f.instance}: ${f.letters.length} dead letter(s)\n`);
      for (const l of f.letters) process.stdout.write(`${line(l)}\n`);
    }
    if (!values.resend) continue;
    // The list is renamed away first (a bot appending meanwhile starts a new one), the letters
    // go to the resend file, then the ones not resent go back: nothing is lost in between.
    const taking = `${f.dead.file}.taking`;
    const events = f.letters.filter((l) => !isRecord(l));
    const records = f.letters.length - events.length;
    if (records > 0) {
      process.stderr.write(
        `${f.instance}: ${records} unreadable input line(s) stay listed; fix the source or send corrected events\n`,
      );
    }
    if (events.length === 0) continue;
    await rename(f.dead.file, taking);
    const text = events.map((l) => JSON.stringify(l)).join("\n");
    await appendFile(join(f.dead.dir, RESEND), `${text}\n`);
    const resent = new Set(events.map(key));
    const rest = readLetters(taking).filter((l) => !resent.has(key(l)));
    if (rest.length > 0) {
      await appendFile(f.dead.file, rest.map((l) => `${JSON.stringify(l)}\n`).join(""));
    }
    await rm(taking);
    process.stderr.write(`${f.instance}: ${events.length} sent back\n`);
  }
  return 0;
}
