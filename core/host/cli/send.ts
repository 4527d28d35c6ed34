import { parseArgs } from "node:util";
import { createLogger } from "../log.js";
import { EventTooLargeError } from "../wire/index.js";
import { CliError } from "./errors.js";
import { CONN_HELP, CONN_OPTIONS, connectTool, startTool } from "./connect.js";
import { readEventLines } from "./jsonl.js";

const HELP = `usage: npx tsx startup.ts send ROOM [connection] < events.jsonl
Reads events as JSON lines in AbuseHelper's sender format (each value a string, a number, taken
as its text, or a list of them; {} is the empty event) and publishes them to ROOM. Exits once the
room has reflected every event back (delivered). Every event that cannot be sent (bad JSON, a
value of another type, an event over the message budget) is reported with its line number on
stderr and skipped; the others are all sent, and the exit code is then 2. Exit 3 when the mesh
(the XMPP server) is not running.
${CONN_HELP}`;

/** Line numbers for a report: all of a few, the first ones of many. */
function lineList(lines: number[]): string {
  const shown = [...lines]
    .sort((a, b) => a - b)
    .slice(0, 10)
    .join(", ");
  return lines.length > 10 ? `${shown}, ... (${lines.length - 10} more)` : shown;
}

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
  const failed: number[] = [];
  const report = (line: number, reason: string): void => {
    failed.push(line);
    process.stderr.write(`startup.ts send: stdin line ${line}: ${reason}; not sent\n`);
  };
  // Lines by event id: to name the line of an event the room refuses after it was accepted.
  const lines = new Map<string, number[]>();
  let sent = 0;
  const tool = await connectTool(values, roomName, log, `send-${process.pid}`, {
    onDead: (event, _room, reason) => {
      const line = lines.get(event.id())?.shift();
      sent -= 1;
      report(line ?? 0, reason);
    },
  });
  const { stack, room } = tool;
  await startTool(tool);
  for await (const item of readEventLines(process.stdin)) {
    if (item.event === undefined) {
      report(item.line, item.error ?? "bad line");
      continue;
    }
    try {
      await stack.publisher.publish(room, item.event);
      sent += 1;
      const id = item.event.id();
      lines.set(id, [...(lines.get(id) ?? []), item.line]);
    } catch (err) {
      // One event alone over the budget: the server would refuse it (or end our stream), so
      // it is reported here and the rest go on, as AbuseHelper's sender delivers the others.
      if (!(err instanceof EventTooLargeError)) throw err;
      report(
        item.line,
        `the event needs ${err.bytes} bytes, over the ${err.budgetBytes}-byte message budget`,
      );
    }
  }
  await stack.publisher.drain();
  await stack.stop();
  process.stderr.write(`sent ${sent} events to ${room}\n`);
  if (failed.length > 0)
    process.stderr.write(
      `startup.ts send: ${failed.length} of ${failed.length + sent} events not sent (stdin line ${lineList(failed)})\n`,
    );
  return failed.length > 0 ? 2 : 0;
}
