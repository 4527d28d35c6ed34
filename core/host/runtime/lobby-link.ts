import xml from "@xmpp/xml";
import type { Logger } from "pino";
import type { BotDefinition, Running } from "../../sdk/bot.js";
import type { InstanceConfig, MeshConfig } from "../config/types.js";
import { bareJid, type PrivateMessage, type StanzaLink, type XmppStack } from "../xmpp/index.js";
import type { Counters } from "./counters.js";
import { CommandDesk, WarnLimiter, type CommandRequest } from "./lobby.js";
import type { LobbyStack } from "./lobby-stack.js";
import { setUpRooms } from "./room-setup.js";

export interface LobbyParts {
  stack: XmppStack;
  /** The lobby's own stream (or the bot's, in component mode). */
  lobbyStack: LobbyStack;
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
  /** Every bot of the mesh: bare JID → instance id (their nicks). */
  bots: ReadonlyMap<string, string>;
  /** The MUC service (ejabberd registers nicks there). */
  mucService: string;
}

/**
 * The bot's side of the lobby (DESIGN.md "Bots and processes"): join it on the lobby stream,
 * answer commands there, in its input rooms (its own commands only) and in direct messages to
 * either stream, post rate-limited warnings, and set up the rooms it joins (room-setup.ts).
 * Who may run a command is decided on the sender's real JID, never on a nick.
 */
export function attachLobby(p: LobbyParts) {
  const { stack, lobbyStack: ls, config, inst, log } = p;
  const lobby = ls.muc.resolve(config.lobby);
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
        own: true,
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
  const say = (via: StanzaLink, to: string, type: "groupchat" | "chat", body: string) =>
    via
      .send(xml("message", { to, type }, xml("body", {}, body)))
      .catch((err: unknown) => log.warn({ err, to }, "could not send a reply"));
  const reply = (via: StanzaLink, to: string, type: "groupchat" | "chat", req: CommandRequest) => {
    void desk.answer(req).then((text) => {
      if (text !== undefined) void say(via, to, type, text);
    });
  };
  // The mesh's bots never command each other: a reply that looks like a command stays one.
  const fromBot = (jid: string | undefined) => jid !== undefined && p.bots.has(bareJid(jid));
  const maybeCommand = (body: string | null): body is string => body?.includes("!") === true;

  ls.muc.on("groupchat", (m) => {
    const body = m.stanza.getChildText("body");
    if (m.room !== lobby || m.self || m.delayed || fromBot(m.realJid) || !maybeCommand(body))
      return;
    const names = [ls.muc.nickIn(lobby) ?? inst.id];
    reply(ls.connection, m.room, "groupchat", { jid: m.realJid, body, room: m.room, names });
  });
  stack.muc.on("groupchat", (m) => {
    const body = m.stanza.getChildText("body");
    if (!inputs.has(m.room) || m.room === lobby || m.self || m.delayed) return;
    if (fromBot(m.realJid) || !maybeCommand(body)) return;
    const names = [stack.muc.nickIn(m.room) ?? inst.id];
    const req = { jid: m.realJid, body, room: m.room, names, ownOnly: true };
    reply(stack.connection, m.room, "groupchat", req);
  });
  // Direct messages, to the bare JID (the lobby stream) or a full one, and room private
  // messages (XEP-0045 §7.5): the real JID is the sender's, or the room's word for the nick.
  const onChat = (via: StanzaLink) => (m: PrivateMessage) => {
    if (m.delayed) return; // offline storage: asked long ago, not waiting for an answer now
    const jid = m.room === undefined ? m.from : m.realJid;
    if (fromBot(jid)) return;
    reply(via, m.from, "chat", { jid, body: m.body });
  };
  const streams = ls.shared ? [stack] : [stack, ls];
  for (const s of streams) s.muc.on("chat", onChat(s.connection));

  const warn = (message: string): void => {
    const text = limiter.admit(`${inst.id}: warning: ${message}`);
    if (text !== undefined && ls.muc.isJoined(lobby))
      void say(ls.connection, lobby, "groupchat", text);
  };
  for (const s of streams) {
    setUpRooms({
      muc: s.muc,
      iq: s.iq,
      log,
      service: p.mucService,
      self: bareJid(s.connection.jid),
      bots: p.bots,
      admins: config.admins,
      warn: (message) => {
        log.warn(message);
        warn(message);
      },
    });
  }

  return {
    desk,
    addCommands,
    join: async () => {
      await ls.muc.join(lobby);
    },
    warn,
    /** The presence status in every room, on both streams. */
    setStatus: async (status: string) => {
      await Promise.all(streams.map((s) => s.muc.setStatus(status)));
    },
  };
}

function inflight(stack: XmppStack): number {
  return Object.values(stack.publisher.counters()).reduce((n, c) => n + c.inFlight, 0);
}
