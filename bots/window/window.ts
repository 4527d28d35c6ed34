import { rename } from "node:fs/promises";
import { join } from "node:path";
import {
  defineBot,
  Event,
  formatTime,
  param,
  ParamError,
  parseDuration,
  type BotContext,
} from "../../core/index.js";
import { parseRule, type Rule } from "../../core/index.js";
import { readState, writeAtomic } from "./state-file.js";
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

interface Running {
  file: string;
  windows: Windows;
  timer: NodeJS.Timeout | undefined;
  saver: NodeJS.Timeout | undefined;
  /** Closes being emitted; stop() waits for them before the last save. */
  closing: Promise<void> | undefined;
  saving: Promise<void> | undefined;
  dirty: boolean;
  stopped: boolean;
}

const running = new WeakMap<Ctx, Running>();

/** What makes events "the same": all of the event, or only its `keys`. */
export function windowKey(event: Event, keys: readonly string[]): Event {
  if (keys.length === 0) return event;
  return new Event(keys.map((key) => [key, event.values(key)] as const));
}

const tagged = (event: Event, hash: string, state: "open" | "close"): Event =>
  event.union({ id: `${hash}:${state}` });

/** One timer for all windows: armed for the first to close (it only moves later, see Windows). */
function arm(ctx: Ctx, run: Running): void {
  if (run.stopped || run.timer !== undefined || run.closing !== undefined) return;
  const next = run.windows.nextExpiry();
  if (next === undefined) return;
  const delay = Math.min(Math.max(next - Date.now(), 0), MAX_DELAY);
  run.timer = setTimeout(() => {
    run.timer = undefined;
    run.closing = closeDue(ctx, run).finally(() => {
      run.closing = undefined;
      arm(ctx, run);
    });
  }, delay).unref();
}

async function closeDue(ctx: Ctx, run: Running): Promise<void> {
  for (const w of run.windows.takeExpired(Date.now())) {
    run.dirty = true;
    ctx.count("closed");
    try {
      await ctx.emit(tagged(w.event, w.hash, "close"));
    } catch (err) {
      ctx.count("errors");
      ctx.log.error({ err, hash: w.hash }, "close event not emitted");
    }
  }
}

async function save(ctx: Ctx, run: Running): Promise<void> {
  if (!run.dirty || run.saving !== undefined) return run.saving;
  run.dirty = false;
  const data = JSON.stringify(run.windows.toJSON());
  run.saving = writeAtomic(run.file, data)
    .catch((err: Error) => {
      run.dirty = true;
      ctx.count("errors");
      ctx.warn(`cannot save open windows to ${run.file}: ${err.message}`);
    })
    .finally(() => {
      run.saving = undefined;
    });
  return run.saving;
}

/** Open windows from the last run; an unreadable file is set aside, never a reason to stop. */
async function restore(ctx: Ctx, file: string): Promise<Windows> {
  try {
    const saved = await readState(file);
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
  async start(ctx) {
    const file = join(ctx.stateDir, STATE_FILE);
    const windows = await restore(ctx, file);
    const run: Running = {
      file,
      windows,
      timer: undefined,
      saver: undefined,
      closing: undefined,
      saving: undefined,
      dirty: false,
      stopped: false,
    };
    running.set(ctx, run);
    run.saver = setInterval(() => void save(ctx, run), ctx.params.save_interval).unref();
    ctx.log.info({ open: windows.size, file }, "open windows restored");
    // Windows that closed while the bot was down close at once.
    arm(ctx, run);
  },
  async stop(ctx) {
    const run = running.get(ctx);
    if (run === undefined) return;
    run.stopped = true;
    clearTimeout(run.timer);
    clearInterval(run.saver);
    await run.closing;
    await run.saving;
    await save(ctx, run);
    running.delete(ctx);
  },
  handle(event, ctx) {
    const run = running.get(ctx);
    if (run === undefined) throw new Error("window: handle() before start()");
    const { rule, keys, window } = ctx.params;
    const key = windowKey(event, keys);
    if ((rule !== null && !rule.match(event)) || key.size === 0) {
      ctx.count("passed");
      return event;
    }
    const hash = key.id();
    const opened = run.windows.see(hash, event, Date.now() + window);
    run.dirty = true;
    arm(ctx, run);
    if (!opened) {
      ctx.count("suppressed");
      return undefined;
    }
    ctx.count("opened");
    return tagged(event, hash, "open");
  },
  commands: {
    windows: {
      help: "How many windows are open and when the next one closes",
      run(_args, ctx) {
        const run = running.get(ctx);
        const next = run?.windows.nextExpiry();
        const open = run?.windows.size ?? 0;
        if (next === undefined) return `${open} open windows`;
        return `${open} open windows; the next closes at ${formatTime(new Date(next))}`;
      },
    },
  },
});
