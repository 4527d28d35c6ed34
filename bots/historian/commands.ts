// The historian's chat questions (issue 6 part 4): !find, !ip, !net, !asn, !count, !more.
// Each command parses its question, asks the store through a QueryBackend, and replies with
// aligned plain text in pages; the pages not yet shown wait per asker for !more.
import { RuleSyntaxError, type BotCommand } from "../../core/index.js";
import { paginate, type Answer } from "./format.js";
import { QuestionError } from "./query-parse.js";
import type { QueryBackend } from "./query.js";
import { askCount, askFind, askSubject } from "./commands-ask.js";

export const EXAMPLES = {
  find: "!find asn = 64496 and type = scanner since 7d",
  ip: "!ip 192.0.2.1",
  net: "!net 192.0.2.0/24",
  asn: "!asn 64496",
  count: "!count type = scanner by asn since 7d",
} as const;

/** Longest question taken (characters): a rule longer than this is no question a person asks. */
export const MAX_QUESTION = 2000;

/** An error message cut so a reply never echoes a huge question back. */
function cut(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface CommandDeps {
  /** The running instance's store; undefined when there is none. */
  backend(): QueryBackend | undefined | Promise<QueryBackend | undefined>;
  now?: () => Date;
  /** Unread pages are dropped after this long (ms). */
  keepMs?: number;
}

interface Pending {
  pages: string[];
  at: number;
}

/** One instance's commands, over its store; unread pages are kept per asker. */
export function historianCommands(deps: CommandDeps): Record<string, BotCommand> {
  const now = deps.now ?? (() => new Date());
  const keepMs = deps.keepMs ?? 30 * 60_000;
  const pending = new Map<string, Pending>();

  const reply = (who: string, answer: Answer): string => {
    const [first = "", ...rest] = paginate(answer);
    if (rest.length > 0) pending.set(who, { pages: rest, at: now().getTime() });
    else pending.delete(who);
    return first;
  };

  const command = (
    name: keyof typeof EXAMPLES,
    usage: string,
    help: string,
    ask: (args: string, backend: QueryBackend, now: Date) => Promise<Answer>,
  ): BotCommand => ({
    usage,
    help: `${help}; e.g. ${EXAMPLES[name]}`,
    async run(args, from) {
      if (args.length > MAX_QUESTION) {
        return `!${name}: question too long (${args.length} characters; at most ${MAX_QUESTION}); e.g. ${EXAMPLES[name]}`;
      }
      const backend = await deps.backend();
      if (backend === undefined) return `!${name}: no CouchDB is configured for this bot`;
      try {
        return reply(asker(from), await ask(args, backend, now()));
      } catch (err) {
        if (err instanceof QuestionError || err instanceof RuleSyntaxError) {
          return `!${name}: ${cut(err.message)}; e.g. ${EXAMPLES[name]}`;
        }
        throw err;
      }
    },
  });

  return {
    find: command(
      "find",
      "<rule> [since 7d|2026-11-01] [limit N]",
      "events matching a rule, newest first",
      askFind,
    ),
    ip: command(
      "ip",
      "<address> [since …]",
      "first/last seen, count, feeds, types, latest events",
      (a, b, n) => askSubject("ip", a, b, n),
    ),
    net: command("net", "<cidr> [since …]", "the same for a network", (a, b, n) =>
      askSubject("net", a, b, n),
    ),
    asn: command("asn", "<number> [since …]", "the same for an AS", (a, b, n) =>
      askSubject("asn", a, b, n),
    ),
    count: command("count", "<rule> by <key> [since …]", "the top values of a key", askCount),
    more: {
      help: "the next page of your previous answer",
      run(_args, from) {
        const who = asker(from);
        const p = pending.get(who);
        if (p === undefined || now().getTime() - p.at > keepMs) {
          pending.delete(who);
          return "!more: nothing more to show; ask a question first, e.g. " + EXAMPLES.find;
        }
        const page = p.pages.shift() ?? "";
        if (p.pages.length === 0) pending.delete(who);
        return page;
      },
    },
  };
}

/** Pages are kept per asker: their bare JID (the same person in the lobby and in chat). */
function asker(from: { jid: string; room?: string }): string {
  return from.jid.split("/")[0]?.toLowerCase() || `room:${from.room ?? ""}`;
}
