import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { defineBot, Event, formatTime, param } from "../../core/index.js";

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
  async *poll(ctx) {
    const text = await readFile(ctx.params.file, "utf8");
    const now = formatTime(new Date());
    const bad = (msg: string) => {
      ctx.count("errors");
      ctx.log.warn(msg);
    };
    for (const ev of parseSample(text, ctx.params.file, bad)) {
      yield ev.add("feed", ctx.params.feed).add("observation time", now);
    }
  },
});
