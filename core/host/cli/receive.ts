import { parseArgs } from "node:util";
import { createLogger } from "../log.js";
import { decodeMessage } from "../wire/index.js";
import { CliError } from "./errors.js";
import { CONN_HELP, CONN_OPTIONS, connectTool, startTool } from "./connect.js";
import { eventLine } from "./jsonl.js";

const HELP = `usage: npx tsx startup.ts receive ROOM [connection] [--count N]
Writes the events published to ROOM as JSON lines on stdout, as AbuseHelper's receiver does
({"key": ["value", ...]}, every value in a list; an event with no keys is {}), until interrupted,
or until N events with --count N. On a terminal, a progress line is shown on stderr every
second. Exit 3 when the mesh (the XMPP server) is not running.
${CONN_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CONN_OPTIONS, count: { type: "string" } },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const [roomName] = positionals;
  if (roomName === undefined || positionals.length > 1)
    throw new CliError(`expected one ROOM\n${HELP}`);
  const count = values.count === undefined ? Infinity : Number(values.count);
  if (!(count > 0) || (!Number.isInteger(count) && count !== Infinity))
    throw new CliError(`--count: expected a positive integer, got ${values.count}`);

  const log = createLogger({ name: "receive", level: "warn" });
  const tool = await connectTool(values, roomName, log, `receive-${process.pid}`);
  const { stack, room } = tool;
  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  // Not the bots' Subscriber: it drops events without keys, which AbuseHelper prints as {}.
  stack.muc.on("groupchat", (m) => {
    if (m.room !== room || m.self) return;
    for (const event of decodeMessage(m.stanza)) {
      if (received >= count) return;
      process.stdout.write(eventLine(event) + "\n");
      received += 1;
      if (received >= count) done();
    }
  });
  await startTool(tool);
  process.once("SIGINT", done);
  process.once("SIGTERM", done);
  const started = Date.now();
  const progress = process.stderr.isTTY
    ? setInterval(() => {
        const s = (Date.now() - started) / 1000;
        process.stderr.write(`\r${room}: ${received} events, ${(received / s).toFixed(0)}/s   `);
      }, 1000)
    : undefined;
  await finished;
  if (progress) {
    clearInterval(progress);
    process.stderr.write("\n");
  }
  await stack.stop();
  return 0;
}
