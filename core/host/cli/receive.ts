import { parseArgs } from "node:util";
import { createLogger } from "../log.js";
import { Subscriber } from "../xmpp/subscriber.js";
import { CliError } from "./errors.js";
import { CONN_HELP, CONN_OPTIONS, connectTool } from "./connect.js";
import { eventLine } from "./jsonl.js";

const HELP = `usage: npx tsx startup.ts receive ROOM [connection] [--count N]
Writes the events published to ROOM as JSON lines ({"key": ["value", ...]}) on stdout until
interrupted, or until N events with --count N. On a terminal, a progress line is shown on
stderr every second.
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
  const { stack, room } = await connectTool(values, roomName, log, `receive-${process.pid}`);
  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const subscriber = new Subscriber({
    muc: stack.muc,
    log,
    skipOwn: true,
    onEvents: (events) => {
      for (const event of events) {
        if (received >= count) return;
        process.stdout.write(eventLine(event) + "\n");
        received += 1;
        if (received >= count) done();
      }
    },
  });
  const started = Date.now();
  const progress = process.stderr.isTTY
    ? setInterval(() => {
        const s = (Date.now() - started) / 1000;
        process.stderr.write(`\r${room}: ${received} events, ${(received / s).toFixed(0)}/s   `);
      }, 1000)
    : undefined;
  process.once("SIGINT", done);
  process.once("SIGTERM", done);
  await stack.start();
  await subscriber.subscribe(room);
  await finished;
  if (progress) {
    clearInterval(progress);
    process.stderr.write("\n");
  }
  await stack.stop();
  return 0;
}
