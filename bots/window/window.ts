import { rename } from "node:fs/promises";
import { join } from "node:path";
import {
  defineBot,
  drop,
  Event,
  formatTime,
  param,
  ParamError,
  parseDuration,
  parseRule,
  readJsonFile,
  writeJsonFile,
  type BotContext,
  type Rule,
} from "../../core/index.js";
import { Windows } from "./windows.js";

const STATE_FILE = "windows.json";
/** setTimeout's longest delay (2^31-1 ms, about 24.8 days); longer waits are re-armed. */
const MAX_DELAY = 2 ** 31 - 1;

const params = {
  window: param.any<number>({
    help: "How long an event's window stays open after its last sight (e.g. 60s, 10m, 1h)",
    default: 60_000,
    check: (raw) => {
      const ms = parseDuration(raw);
      if (ms <= 0) throw new ParamError("must be longer than 0");
      return ms;
    },
  }),
  rule: param.any<Rule | null>({
    help: "AbuseHelper rule: only matching events are windowed, others pass through unchanged (default: every event)",
    default: null,
    check: (raw) => {
      if (typeof raw !== "string") throw new ParamError("expected rule text");
      try {
        return parseRule(raw);
      } catch (err) {
        // The problem's key already says "rule".
        throw new ParamError((err as Error).message.replace(/^rule: /, ""));
      }
    },
  }),
  keys: param.list({
    help: "Keys whose values make two events the same (default: the whole event)",
    default: [],
  }),
  save_interval: param.duration({
    help: "How often open windows are saved to the state dir when they changed (also on stop)",
    default: 10_000,
  }),
};

type Ctx = BotContext<typeof params>;

/** What makes events "the same": all of the event, or only its `keys`. */
export function windowKey(event: Event, keys: readonly string[]): Event {
  if (keys.length === 0) return event;
  return new Event(keys.map((key) => [key, event.values(key)] as const));
}

const tagged = (event: Event, hash: string, state: "open" | "close"): Event =>
  event.union({ id: `${hash}:${state}` });

/** Open windows from the last run; an unreadable file is set aside, never a reason to stop. */
async function restore(ctx: Ctx, file: string): Promise<Windows> {
  try {
    const saved = await readJsonFile(file);
    if (saved === undefined) return new Windows();
    return Windows.fromJSON(saved, Date.now() + ctx.params.window);
  } catch (err) {
    await rename(file, `${file}.bad`).catch(() => undefined);
    ctx.count("errors");
    ctx.warn(`open windows in ${file} unreadable (${(err as Error).message}); kept as ${file}.bad`);
    return new Windows();
  }
}

/** AbuseHelper windowbot: one event per burst of identical events, tagged open and close. */
export const windowBot = defineBot({
  name: "window",
  kind: "handler",
  description:
    "Passes the first of identical events on tagged `id = <hash>:open`, suppresses repeats, and emits `<hash>:close` once none came for a window.",
  params,
  // The state file stays the bot's own (not ctx.state): an unreadable one is set aside as
  // windows.json.bad and reported, where ctx.state would only log and start empty.
  async start(ctx) {
    const { rule, keys, window } = ctx.params;
    const file = join(ctx.stateDir, STATE_FILE);
    const windows = await restore(ctx, file);
    let timer: NodeJS.Timeout | undefined;
    /** Closes being emitted; stop() waits for them before the last save. */
    let closing: Promise<void> | undefined;
    let saving: Promise<void> | undefined;
    let dirty = false;
    let stopped = false;

    const closeDue = async (): Promise<void> => {
      for (const w of windows.takeExpired(Date.now())) {
        dirty = true;
        ctx.count("closed");
        try {
          // Not a reply to an input: a timer's event goes out through emit.
          await ctx.emit(tagged(w.event, w.hash, "close"));
        } catch (err) {
          ctx.count("errors");
          ctx.log.error({ err, hash: w.hash }, "close event not emitted");
        }
      }
    };

    // One deadline timer for all windows, armed for the first to close (it only moves later,
    // see Windows). Not ctx.every: the delay is the next expiry, exact to the millisecond.
    const arm = (): void => {
      if (stopped || timer !== undefined || closing !== undefined) return;
      const next = windows.nextExpiry();
      if (next === undefined) return;
      const delay = Math.min(Math.max(next - Date.now(), 0), MAX_DELAY);
      timer = setTimeout(() => {
        timer = undefined;
        closing = closeDue().finally(() => {
          closing = undefined;
          arm();
        });
      }, delay).unref();
    };

    const save = async (): Promise<void> => {
      if (!dirty || saving !== undefined) return saving;
      dirty = false;
      saving = writeJsonFile(file, windows.toJSON())
        .catch((err: Error) => {
          dirty = true;
          ctx.count("errors");
          ctx.warn(`cannot save open windows to ${file}: ${err.message}`);
        })
        .finally(() => {
          saving = undefined;
        });
      return saving;
    };

    ctx.every(ctx.params.save_interval, save);
    ctx.log.info({ open: windows.size, file }, "open windows restored");
    // Windows that closed while the bot was down close at once.
    arm();

    return {
      handle(event) {
        const key = windowKey(event, keys);
        if ((rule !== null && !rule.match(event)) || key.size === 0) {
          ctx.count("passed");
          return event;
        }
        const hash = key.id();
        const opened = windows.see(hash, event, Date.now() + window);
        dirty = true;
        arm();
        if (!opened) {
          ctx.count("suppressed");
          return drop("repeat");
        }
        ctx.count("opened");
        return tagged(event, hash, "open");
      },
      async stop() {
        stopped = true;
        clearTimeout(timer);
        await closing;
        await saving;
        await save();
      },
      commands: {
        windows: {
          help: "How many windows are open and when the next one closes",
          run() {
            const next = windows.nextExpiry();
            if (next === undefined) return `${windows.size} open windows`;
            return `${windows.size} open windows; the next closes at ${formatTime(new Date(next))}`;
          },
        },
      },
    };
  },
});
