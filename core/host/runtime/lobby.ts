import { Counters } from "./counters.js";

export interface CommandRequest {
  /** Bare JID of the sender (real JID, not the room nick). */
  jid: string | undefined;
  body: string;
  /** Room the command was said in; undefined for a direct message. */
  room?: string;
  /** Names beside the instance id that address this bot there (its nick, if suffixed). */
  names?: readonly string[];
  /** Answer only the bot's own commands (input rooms: every bot there would answer !ping). */
  ownOnly?: boolean;
}

export interface LobbyCommand {
  help: string;
  usage?: string;
  /** Whether anyone may run it; control commands are admin-only. */
  public?: boolean;
  /** One of the bot's own commands (not a built-in every bot has). */
  own?: boolean;
  /** `brief`: the command was for every bot (not addressed), so answer in one short line. */
  run(args: string, req: CommandRequest, brief: boolean): Promise<string> | string;
}

export interface StatusSource {
  id: string;
  bot: string;
  state(): string;
  counters: Counters;
  queueDepth(): number;
  startedAt: number;
  /** Counters kept elsewhere (malformed stanzas per input room), merged into the report. */
  roomExtras?: () => Record<string, Record<string, number>>;
}

/** Commands every bot has; with arguments, those name the instances asked (`!status tagger`). */
const BUILT_IN = new Set(["help", "ping", "status"]);

/**
 * `!name args` → parts, or undefined when the text is no command. The name ends at a space:
 * `!ip: expected an address` (a bot's own error reply) is no command.
 */
export function parseCommand(body: string): { name: string; args: string } | undefined {
  const m = /^!([a-z][a-z0-9-]*)(?:\s+([\s\S]*))?$/i.exec(body.trim());
  if (!m) return undefined;
  return { name: (m[1] ?? "").toLowerCase(), args: (m[2] ?? "").trim() };
}

/** A command and whom it is for: `to` is empty when it is for every bot. */
export interface Addressed {
  name: string;
  args: string;
  to: string[];
}

/**
 * A command and its addressees: `historian: !ip 192.0.2.1` (the nick prefix a client completes),
 * or for the built-ins `!status historian tagger` (instance ids as the arguments).
 */
export function parseAddressed(body: string): Addressed | undefined {
  const prefix = /^([^\s:,!][^\s:,]*)\s*[:,]\s*(![\s\S]*)$/.exec(body.trim());
  const cmd = parseCommand(prefix?.[2] ?? body);
  if (cmd === undefined) return undefined;
  if (prefix?.[1] !== undefined) return { ...cmd, to: [prefix[1].toLowerCase()] };
  if (BUILT_IN.has(cmd.name) && cmd.args !== "") {
    const to = cmd.args.split(/[\s,]+/).filter((n) => n !== "");
    return { name: cmd.name, args: "", to: to.map((n) => n.toLowerCase()) };
  }
  return { ...cmd, to: [] };
}

/**
 * Answers lobby and direct-message commands. In a room a command is answered by the bots it
 * names, or when it names none by every bot that has it, briefly (`!status`: one line per bot);
 * a command a bot does not know gets no reply there (N bots would each say "unknown"). In a
 * direct message everything is for this bot. Only admins listed in config get answers to
 * control commands; anyone else gets a refusal that says so (not silence, which looks broken).
 */
export class CommandDesk {
  readonly #commands = new Map<string, LobbyCommand>();

  constructor(
    private readonly admins: ReadonlySet<string>,
    private readonly status: StatusSource,
  ) {
    this.add("help", {
      help: "list the commands",
      public: true,
      run: (_args, _req, brief) => (brief ? this.#shortHelp() : this.#help()),
    });
    this.add("ping", { help: "check the bot is alive", run: () => `${this.status.id}: pong` });
    this.add("status", {
      help: "counters, queue depth and uptime",
      run: (_args, _req, brief) => (brief ? formatSummary(this.status) : formatStatus(this.status)),
    });
  }

  add(name: string, command: LobbyCommand): void {
    this.#commands.set(name, command);
  }

  /** The reply to a message, or undefined when it is not a command for us. */
  async answer(req: CommandRequest): Promise<string | undefined> {
    const cmd = parseAddressed(req.body);
    if (cmd === undefined) return undefined;
    const id = this.status.id;
    const direct = req.room === undefined;
    const names = new Set([id, ...(req.names ?? [])].map((n) => n.toLowerCase()));
    const addressed = cmd.to.length > 0;
    if (addressed && !cmd.to.some((n) => names.has(n))) {
      return direct ? `${id}: this is ${id}, not ${cmd.to.join(", ")}` : undefined;
    }
    const command = this.#commands.get(cmd.name);
    if (req.ownOnly && command?.own !== true) return undefined;
    if (command === undefined) {
      if (!direct && !addressed) return undefined;
      return `${id}: unknown command !${cmd.name}; try ${direct ? "" : `${id}: `}!help`;
    }
    const bare = req.jid?.split("/")[0]?.toLowerCase();
    if (!command.public && (bare === undefined || !this.admins.has(bare))) {
      return `${id}: refused: !${cmd.name} is for admins only (${bare ?? "your JID is hidden by the room"} is not in the admins list)`;
    }
    try {
      return await command.run(cmd.args, req, !direct && !addressed);
    } catch (err) {
      return `${id}: !${cmd.name} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  #help(): string {
    const lines = [...this.#commands].map(([name, c]) => {
      const usage = c.usage ? ` ${c.usage}` : "";
      return `  !${name}${usage}`.padEnd(28) + c.help;
    });
    const how = `In a room, start with "${this.status.id}: " to ask this bot only.`;
    return `${this.status.id} (${this.status.bot}) commands:\n${lines.join("\n")}\n${how}`;
  }

  #shortHelp(): string {
    const names = (own: boolean) =>
      [...this.#commands]
        .filter(([, c]) => (c.own === true) === own)
        .map(([name]) => `!${name}`)
        .join(" ");
    const own = names(true);
    const id = this.status.id;
    return `${id} (${this.status.bot}): ${names(false)}${own ? `; ${own}` : ""} — "${id}: !help" for more`;
  }
}

export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d${h}h${m}m` : h > 0 ? `${h}h${m}m` : `${m}m${s % 60}s`;
}

export function formatStatus(src: StatusSource): string {
  const { totals, rooms } = src.counters.snapshot();
  for (const [room, extra] of Object.entries(src.roomExtras?.() ?? {})) {
    const r = (rooms[room] ??= {});
    for (const [k, v] of Object.entries(extra)) {
      r[k] = (r[k] ?? 0) + v;
      totals[k] = (totals[k] ?? 0) + v;
    }
  }
  const head = `${src.id} (${src.bot}) ${src.state()}, up ${formatUptime(Date.now() - src.startedAt)}, queue ${src.queueDepth()}`;
  const pick = (t: Record<string, number>) =>
    ["in", "out", "errors", "malformed"].map((k) => `${k} ${t[k] ?? 0}`).join(", ");
  const extra = Object.entries(totals)
    .filter(([k]) => !["in", "out", "errors", "malformed"].includes(k))
    .map(([k, v]) => `${k} ${v}`);
  const lines = [head, `  total: ${pick(totals)}${extra.length ? ", " + extra.join(", ") : ""}`];
  for (const [room, t] of Object.entries(rooms).sort()) lines.push(`  ${room}: ${pick(t)}`);
  return lines.join("\n");
}

const count = (n: number) => n.toLocaleString("en-US");

/** One line: `historian: running, up 3m2s, in 1,204, out 0, queue 0, errors 0`. */
export function formatSummary(src: StatusSource): string {
  const { totals } = src.counters.snapshot();
  const malformed = Object.values(src.roomExtras?.() ?? {}).reduce(
    (n, r) => n + (r.malformed ?? 0),
    totals.malformed ?? 0,
  );
  const parts = [
    `${src.id}: ${src.state()}`,
    `up ${formatUptime(Date.now() - src.startedAt)}`,
    `in ${count(totals.in ?? 0)}`,
    `out ${count(totals.out ?? 0)}`,
    `queue ${count(src.queueDepth())}`,
    `errors ${count(totals.errors ?? 0)}`,
    ...(malformed > 0 ? [`malformed ${count(malformed)}`] : []),
  ];
  return parts.join(", ");
}

/** Lets through at most `perMinute` warnings a minute and tells how many it held back. */
export class WarnLimiter {
  #windowStart = 0;
  #sent = 0;
  #held = 0;

  constructor(private readonly perMinute = 5) {}

  /** The text to post now, or undefined when over the limit. */
  admit(text: string, now = Date.now()): string | undefined {
    if (now - this.#windowStart >= 60_000) {
      const held = this.#held;
      this.#windowStart = now;
      this.#sent = 0;
      this.#held = 0;
      if (held > 0) text = `${text} (${held} earlier warnings held back)`;
    }
    if (this.#sent >= this.perMinute) {
      this.#held += 1;
      return undefined;
    }
    this.#sent += 1;
    return text;
  }
}
