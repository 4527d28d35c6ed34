/**
 * The runtime's cost per event, in process (no XMPP): N events through drive() — outcome
 * handling, typed-value checks (sources), in-order finishing, checkpoint callbacks — beside a
 * bare loop that calls the same handler and publish function (the baseline).
 * Run: npx tsx test/bench/runtime.bench.ts [N]
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { defineBot, type BotContext, type Running } from "../../core/sdk/bot.js";
import { Event } from "../../core/sdk/event.js";
import { makeContext } from "../../core/host/runtime/context.js";
import { Counters } from "../../core/host/runtime/counters.js";
import { DeadLetters } from "../../core/host/runtime/dead-letters.js";
import { drive, type Incoming } from "../../core/host/runtime/drive.js";
import { AsyncQueue } from "../../core/host/runtime/queue.js";
import { fmt } from "./measure.js";

const N = Number(process.argv[2] ?? 200_000);
const events = Array.from(
  { length: N },
  (_, i) => new Event({ ip: `192.0.2.${i % 250}`, port: "22", type: "scanner", seq: String(i) }),
);
const tag = { "source organisation": "cert-a" };

function bot(concurrency: number, slow: boolean) {
  return defineBot({
    name: "bench",
    kind: "handler",
    description: "Adds a key to every event (bench).",
    params: {},
    concurrency: () => concurrency,
    start: () => ({
      handle: (e: Event) => (slow ? Promise.resolve(e.union(tag)) : e.union(tag)),
    }),
  });
}

async function context(def: ReturnType<typeof bot>): Promise<BotContext> {
  return makeContext({
    id: "bench",
    def,
    params: {},
    log: pino({ level: "silent" }),
    stateDir: await mkdtemp(join(tmpdir(), "runtime-bench-")),
    counters: new Counters(),
    signal: new AbortController().signal,
    emit: () => Promise.resolve(),
    resolveRoom: (r) => r,
    lobbyWarn: () => undefined,
  });
}

async function viaRuntime(concurrency: number, slow: boolean): Promise<number> {
  const def = bot(concurrency, slow);
  const ctx = await context(def);
  const running: Running = await def.start(ctx);
  const inputs = new AsyncQueue<Incoming>();
  for (const event of events) inputs.push({ event, meta: { room: "raw@rooms.test" } });
  inputs.close();
  let out = 0;
  let done = 0;
  const t0 = performance.now();
  await drive(def, running, ctx, {
    inputs,
    counters: new Counters(),
    dead: new DeadLetters(ctx.stateDir),
    publish: () => {
      out++;
      return Promise.resolve();
    },
    done: () => void done++,
  });
  const ms = performance.now() - t0;
  if (out !== N || done !== N) throw new Error(`lost events: ${out} out, ${done} done of ${N}`);
  return (N / ms) * 1000;
}

async function bare(slow: boolean): Promise<number> {
  const def = bot(1, slow);
  const running = await def.start(await context(def));
  const inputs = new AsyncQueue<Incoming>();
  for (const event of events) inputs.push({ event, meta: { room: "raw@rooms.test" } });
  inputs.close();
  let out = 0;
  const publish = () => {
    out++;
    return Promise.resolve();
  };
  const t0 = performance.now();
  for await (const item of inputs) {
    const r = await running.handle?.(item.event, item.meta);
    if (r !== undefined) await publish();
  }
  const ms = performance.now() - t0;
  if (out !== N) throw new Error("lost events");
  return (N / ms) * 1000;
}

const best = async (f: () => Promise<number>) => Math.max(await f(), await f(), await f());
const base = await best(() => bare(false));
const rows: [string, number][] = [
  ["runtime, sync handler, concurrency 1", await best(() => viaRuntime(1, false))],
  ["runtime, async handler, concurrency 1", await best(() => viaRuntime(1, true))],
  ["runtime, async handler, concurrency 32", await best(() => viaRuntime(32, true))],
];
console.log(`\nruntime per-event cost, ${fmt(N)} events (in process, no XMPP)`);
console.log(
  `  ${"bare loop: handle + publish (baseline)".padEnd(44)} ${fmt(base).padStart(8)} events/s`,
);
for (const [name, r] of rows) {
  console.log(
    `  ${name.padEnd(44)} ${fmt(r).padStart(8)} events/s   ${(r / base).toFixed(3)}x baseline`,
  );
}
