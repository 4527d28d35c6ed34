import { parseArgs } from "node:util";
import { createLogger } from "../log.js";
import { CliError } from "./errors.js";
import { CONN_HELP, CONN_OPTIONS, connectTool } from "./connect.js";
import { readEventLines } from "./jsonl.js";

const HELP = `usage: npx tsx startup.ts send ROOM [connection] < events.jsonl
Reads events as JSON lines (AbuseHelper sender format: each value a string or a list of
strings) and publishes them to ROOM. Exits once the room has reflected every event back
(delivered). A bad line is reported with its number and skipped; the exit code is then 2.
${CONN_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: CONN_OPTIONS,
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const [roomName] = positionals;
  if (roomName === undefined || positionals.length > 1)
    throw new CliError(`expected one ROOM\n${HELP}`);
  const log = createLogger({ name: "send", level: "warn" });
  const tool = await connectTool(values, roomName, log, `send-${process.pid}`);
  const { stack, room } = tool;
  await stack.start();
  await stack.muc.join(room);
  let bad = 0;
  let sent = 0;
  for await (const item of readEventLines(process.stdin)) {
    if (item.event === undefined) {
      bad += 1;
      process.stderr.write(
        `startup.ts send: stdin line ${item.line}: ${item.error ?? "bad line"}\n`,
      );
      continue;
    }
    await stack.publisher.publish(room, item.event);
    sent += 1;
  }
  stack.publisher.flush();
  await stack.publisher.drain();
  await stack.stop();
  process.stderr.write(
    `sent ${sent} events to ${room}${bad ? `, ${bad} bad lines skipped` : ""}\n`,
  );
  return bad > 0 ? 2 : 0;
}
