import { CliError } from "./errors.js";

interface Command {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  run: {
    summary: "run [--config FILE] [--only ID]   start the mesh (default config/demo.yaml)",
    load: () => import("./run.js"),
  },
  stop: {
    summary: "stop [--config FILE]              stop the running mesh (bots, then servers)",
    load: () => import("./stop.js"),
  },
  restart: {
    summary: "restart ID [--config FILE]        restart one instance of the running mesh",
    load: () => import("./restart.js"),
  },
  check: {
    summary: "check [--config FILE]             report every config problem at once",
    load: () => import("./check.js"),
  },
  status: {
    summary: "status [--config FILE]            each instance's state, pid, restarts, uptime",
    load: () => import("./status.js"),
  },
  graph: {
    summary:
      "graph [--config FILE] [--svg OUT]  the mesh as Graphviz dot (SVG when dot is installed)",
    load: () => import("./graph.js"),
  },
  send: {
    summary: "send ROOM [conn]                  JSON lines on stdin -> events in the room",
    load: () => import("./send.js"),
  },
  receive: {
    summary: "receive ROOM [conn] [--count N]   events in the room -> JSON lines on stdout",
    load: () => import("./receive.js"),
  },
  "dead-letters": {
    summary:
      "dead-letters [ID] [--resend]      events set aside by the bots; --resend gives them back",
    load: () => import("./dead-letters.js"),
  },
  match: {
    summary: "match RULE [--lint]               JSON lines on stdin -> the matching ones on stdout",
    load: () => import("./match.js"),
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.summary}`);
  return [
    "usage: npx tsx startup.ts COMMAND [options]",
    "",
    ...lines,
    "",
    "  conn: --config FILE (a bot's connection), or --service URL --jid JID with XMPP_PASSWORD set",
  ].join("\n");
}

/** Run one CLI command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage() + "\n");
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`startup.ts: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`startup.ts ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    const bad = badArguments(err);
    if (bad === undefined) throw err;
    const synopsis = command.summary.split(/\s{2,}/)[0] ?? name;
    process.stderr.write(
      `startup.ts ${name}: ${bad}\nusage: npx tsx startup.ts ${synopsis}   (--help for more)\n`,
    );
    return 2;
  }
}

/**
 * The gist of a node:util parseArgs error (unknown option, missing value, stray argument), or
 * undefined for any other error. Node's own text goes on about `--`; its first sentence is enough.
 */
function badArguments(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) return undefined;
  const message = (err as Error).message;
  return code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? message.replace(/\. .*$/s, "") : message;
}
