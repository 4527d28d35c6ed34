import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { beginRead, defineBot, Event, param } from "../../core/index.js";

const SAMPLE = fileURLToPath(new URL("./fixtures/sample.jsonl", import.meta.url));

/** Parse receiver-format JSON lines; a bad line is reported with its number and skipped. */
export function parseSample(text: string, file: string, onError: (msg: string) => void): Event[] {
  const events: Event[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      events.push(Event.fromJson(JSON.parse(line)));
    } catch (err) {
      onError(`${file} line ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return events;
}

export const sampleFeed = defineBot({
  name: "sample-feed",
  kind: "source",
  description: "Replays events from a JSON lines file on every poll, stamped with the time seen.",
  params: {
    file: param.string({ help: "JSON lines file of events to replay", default: SAMPLE }),
    interval: param.duration({ help: "Time between replays", default: 30_000 }),
    feed: param.string({ help: "Value of the `feed` key added to each event", default: "sample" }),
  },
  interval: (params) => params.interval,
  start(ctx) {
    const bad = (msg: string) => {
      ctx.count("errors");
      ctx.log.warn(msg);
    };
    return {
      async *poll() {
        const text = await readFile(ctx.params.file, "utf8");
        // A replay cut short by a crash is done again with the same time: the same event ids.
        const observed = await beginRead(ctx.state);
        for (const ev of parseSample(text, ctx.params.file, bad)) {
          yield ev.add("feed", ctx.params.feed).add("observation time", observed.time);
        }
        await observed.done();
      },
    };
  },
});
