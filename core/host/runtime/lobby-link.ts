import xml from "@xmpp/xml";
import type { Logger } from "pino";
import type { BotDefinition, Running } from "../../sdk/bot.js";
import type { InstanceConfig, MeshConfig } from "../config/types.js";
import type { XmppStack } from "../xmpp/index.js";
import type { Counters } from "./counters.js";
import { CommandDesk, parseCommand, WarnLimiter } from "./lobby.js";

export interface LobbyParts {
  stack: XmppStack;
  config: MeshConfig;
  inst: InstanceConfig;
  def: BotDefinition;
  counters: Counters;
  log: Logger;
  state: () => string;
  queueDepth: () => number;
  /** The running bot (set once it is started): its own commands. */
  running: () => Running | undefined;
  roomExtras: () => Record<string, Record<string, number>>;
}

/**
 * The bot's side of the lobby (DESIGN.md "Bots and processes"): join it, answer commands there
 * and in direct messages, and post rate-limited warnings. In the lobby a command with no
 * argument is for every bot; `!status ID` is for that instance only.
 */
export function attachLobby(p: LobbyParts) {
  const { stack, config, inst, log } = p;
  const lobby = stack.muc.resolve(config.lobby);
  const admins = new Set(config.admins.map((a) => a.toLowerCase()));
  // A bot's own commands are also for the JIDs it names (askers), and are answered in its
  // input rooms too (where operators watch the events they ask about).
  const askers = p.def.askers?.(inst.params) ?? [];
  const allowed = new Set(askers.map((a) => a.toLowerCase()));
  const inputs = new Set(inst.in.map((room) => stack.muc.resolve(room)));
  const desk = new CommandDesk(admins, {
    id: inst.id,
    bot: inst.bot,
    state: p.state,
    counters: p.counters,
    queueDepth: () => p.queueDepth() + inflight(stack),
    startedAt: Date.now(),
    roomExtras: p.roomExtras,
  });
  /** Add the bot's own commands once it runs (its commands close over its state). */
  const addCommands = (running: Running): void => {
    for (const [name, cmd] of Object.entries(running.commands ?? {})) {
      desk.add(name, {
        help: cmd.help,
        ...(cmd.usage ? { usage: cmd.usage } : {}),
        public: true,
        run: (args, req) => {
          const bare = req.jid?.split("/")[0]?.toLowerCase();
          if (bare === undefined || !(admins.has(bare) || allowed.has(bare))) {
            return `${inst.id}: refused: !${name} is for admins and the allowed list only (${bare ?? "your JID is hidden by the room"} is in neither)`;
          }
          return cmd.run(args, { jid: req.jid ?? "", ...(req.room ? { room: req.room } : {}) });
        },
      });
    }
  };
  const limiter = new WarnLimiter(5);
  const say = (to: string, type: "groupchat" | "chat", body: string) =>
    stack.connection
      .send(xml("message", { to, type }, xml("body", {}, body)))
      .catch((err: unknown) => log.warn({ err }, "could not send to the lobby"));

  stack.muc.on("groupchat", (m) => {
    const inLobby = m.room === lobby;
    if ((!inLobby && !inputs.has(m.room)) || m.self || m.delayed) return;
    const body = m.stanza.getChildText("body") ?? "";
    const cmd = parseCommand(body);
    if (cmd === undefined) return;
    // In input rooms only the bot's own commands: every bot there would answer !ping.
    if (!inLobby && p.running()?.commands?.[cmd.name] === undefined) return;
    // Built-in commands with an argument name the instance they are for.
    if (["status", "ping", "help"].includes(cmd.name) && cmd.args !== "" && cmd.args !== inst.id)
      return;
    void desk.answer({ jid: m.realJid, body, room: m.room }).then((reply) => {
      if (reply !== undefined) void say(m.room, "groupchat", reply);
    });
  });
  stack.muc.on("chat", (m) => {
    const jid = m.realJid ?? (m.room ? undefined : m.from);
    void desk.answer({ jid, body: m.body }).then((reply) => {
      if (reply !== undefined) void say(m.from, "chat", reply);
    });
  });

  return {
    desk,
    addCommands,
    join: async () => {
      await stack.muc.join(lobby);
    },
    warn: (message: string) => {
      const text = limiter.admit(`${inst.id}: warning: ${message}`);
      if (text !== undefined && stack.muc.isJoined(lobby)) void say(lobby, "groupchat", text);
    },
  };
}

function inflight(stack: XmppStack): number {
  return Object.values(stack.publisher.counters()).reduce((n, c) => n + c.inFlight, 0);
}
