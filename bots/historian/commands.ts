// The historian's chat questions (issue 6 part 4): !find, !ip, !net, !asn, !count, !more.
// Each command parses its question, asks the store through a QueryBackend, and replies with
// aligned plain text in pages; the pages not yet shown wait per asker for !more.
import {
  param,
  RuleSyntaxError,
  type BotContext,
  type BotDefinition,
  type ParamSpec,
} from "../../core/index.js";
import { paginate, type Answer } from "./format.js";
import { QuestionError } from "./query-parse.js";
import type { QueryBackend } from "./query.js";
import { storeBackend } from "./query-store.js";
import { openStore } from "./store.js";
import { askCount, askFind, askSubject } from "./commands-ask.js";

export type HistorianCommand = NonNullable<BotDefinition["commands"]>[string];

export const EXAMPLES = {
  find: "!find asn = 64496 and type = scanner since 7d",
  ip: "!ip 192.0.2.1",
  net: "!net 192.0.2.0/24",
  asn: "!asn 64496",
  count: "!count type = scanner by asn since 7d",
} as const;

export interface CommandDeps {
  /** The store of the running bot; undefined when there is none. */
  backend(ctx: BotContext): QueryBackend | undefined | Promise<QueryBackend | undefined>;
  now?: () => Date;
  /** Unread pages are dropped after this long (ms). */
  keepMs?: number;
}

/** Params the historian adds for its commands (spread into its params). */
export const historianCommandParams = {
  allowed: param.list({
    help: "JIDs (bare) that may ask !find, !ip, !net, !asn and !count, beside the admins",
    default: [],
  }),
};

const backends = new WeakMap<BotContext, QueryBackend | Promise<QueryBackend>>();

/** Use this backend for a running bot's commands (instead of opening the store itself). */
export function attachQueries(ctx: BotContext, backend: QueryBackend): void {
  backends.set(ctx, backend);
}

/** The bot's store, opened on first use from the mesh's CouchDB and the `db` param. */
async function storeOf(ctx: BotContext): Promise<QueryBackend | undefined> {
  const have = backends.get(ctx);
  if (have !== undefined) return have;
  const couch = ctx.couchdb;
  if (couch === undefined) return undefined;
  const db = typeof ctx.params.db === "string" ? ctx.params.db : "events";
  const opening = openStore({ ...couch, db }).then(storeBackend);
  backends.set(ctx, opening);
  // A failed open is retried by the next question.
  opening.catch(() => backends.delete(ctx));
  return opening;
}

interface Pending {
  pages: string[];
  at: number;
}

/** The commands record for a bot definition, over the given store. */
export function createHistorianCommands(deps: CommandDeps): Record<string, HistorianCommand> {
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
  ): HistorianCommand => ({
    usage,
    help: `${help}; e.g. ${EXAMPLES[name]}`,
    async run(args, ctx, from) {
      const backend = await deps.backend(ctx);
      if (backend === undefined) return `!${name}: no CouchDB is configured for this bot`;
      try {
        return reply(asker(from), await ask(args, backend, now()));
      } catch (err) {
        if (err instanceof QuestionError || err instanceof RuleSyntaxError) {
          return `!${name}: ${err.message}; e.g. ${EXAMPLES[name]}`;
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
      run(_args, _ctx, from) {
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

/** The historian's commands, over its store (see storeOf). */
export const historianCommands = createHistorianCommands({ backend: storeOf });

/**
 * The same, typed for a bot's own params, so `defineBot` still infers them
 * (`commands: historianCommandsFor<typeof params>()`). The commands read only `ctx.couchdb`
 * and `ctx.params.db`.
 */
export function historianCommandsFor<P extends Record<string, ParamSpec<unknown>>>(): NonNullable<
  BotDefinition<P>["commands"]
> {
  return historianCommands;
}
