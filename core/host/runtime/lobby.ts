import { Counters } from "./counters.js";

export interface CommandRequest {
  /** Bare JID of the sender (real JID, not the room nick). */
  jid: string | undefined;
  body: string;
  /** Room the command was said in; undefined for a direct message. */
  room?: string;
}

export interface LobbyCommand {
  help: string;
  usage?: string;
  /** Whether anyone may run it; control commands are admin-only. */
  public?: boolean;
  run(args: string, req: CommandRequest): Promise<string> | string;
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

/** `!name args` → parts, or undefined when the text is no command. */
export function parseCommand(body: string): { name: string; args: string } | undefined {
  const m = /^!([a-z][a-z0-9-]*)\s*([\s\S]*)$/i.exec(body.trim());
  if (!m) return undefined;
  return { name: (m[1] ?? "").toLowerCase(), args: (m[2] ?? "").trim() };
}

/**
 * Answers lobby and direct-message commands. Only admins listed in config get answers to
 * control commands; anyone else gets a refusal that says so (not silence, which looks broken).
 */
export class CommandDesk {
  readonly #commands = new Map<string, LobbyCommand>();

  constructor(
    private readonly admins: ReadonlySet<string>,
    private readonly status: StatusSource,
  ) {
    this.add("help", { help: "list the commands", public: true, run: () => this.#help() });
    this.add("ping", { help: "check the bot is alive", run: () => "pong" });
    this.add("status", {
      help: "counters, queue depth and uptime",
      run: () => formatStatus(this.status),
    });
  }

  add(name: string, command: LobbyCommand): void {
    this.#commands.set(name, command);
  }

  /** The reply to a message, or undefined when it is not a command of ours. */
  async answer(req: CommandRequest): Promise<string | undefined> {
    const cmd = parseCommand(req.body);
    if (cmd === undefined) return undefined;
    const command = this.#commands.get(cmd.name);
    if (command === undefined) return `${this.status.id}: unknown command !${cmd.name}; try !help`;
    const bare = req.jid?.split("/")[0]?.toLowerCase();
    if (!command.public && (bare === undefined || !this.admins.has(bare))) {
      return `${this.status.id}: refused: !${cmd.name} is for admins only (${bare ?? "your JID is hidden by the room"} is not in the admins list)`;
    }
    try {
      return await command.run(cmd.args, req);
    } catch (err) {
      return `${this.status.id}: !${cmd.name} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  #help(): string {
    const lines = [...this.#commands].map(([name, c]) => {
      const usage = c.usage ? ` ${c.usage}` : "";
      return `  !${name}${usage}`.padEnd(28) + c.help;
    });
    return `${this.status.id} (${this.status.bot}) commands:\n${lines.join("\n")}`;
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
