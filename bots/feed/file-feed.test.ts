import { appendFile, mkdir, mkdtemp, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Event, type Running } from "../../core/index.js";
import { testBot } from "../../core/testing.js";
import { fileFeed } from "./file-feed.js";
import { collect } from "./test-helpers.js";

const LIST = {
  format: { type: "list" },
  map: { fields: {}, constants: { type: "scanner" } },
  name: "local",
};

/** The bot's event stream, as the bot yields it (bot.poll() would run it to its end). */
async function* streamOf(bot: { running: Running }): AsyncIterable<Event> {
  if (!bot.running.stream) throw new Error("file-feed has no stream()");
  for await (const init of bot.running.stream()) yield new Event(init);
}

async function dir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "file-feed-"));
}

async function readAll(params: Record<string, unknown>, stateDir?: string) {
  const bot = await testBot(fileFeed, params, stateDir ? { stateDir } : {});
  const events = await collect(streamOf(bot));
  return { bot, events, values: events.map((e) => e.value("ip") ?? e.value("netblock")).sort() };
}

async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("file-feed", () => {
  it("reads a file once, then only what is new since the last read, across re-creation", async () => {
    const d = await dir();
    const file = join(d, "list.txt");
    await writeFile(file, "# list\n192.0.2.1\n192.0.2.2\n");
    const first = await readAll({ path: file, ...LIST });
    expect(first.values).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(first.events[0]?.toJSON()).toMatchObject({ feed: ["local"], type: ["scanner"] });
    expect((await readAll({ path: file, ...LIST }, first.bot.ctx.stateDir)).values).toEqual([]);
    await appendFile(file, "198.51.100.0/24\n");
    expect((await readAll({ path: file, ...LIST }, first.bot.ctx.stateDir)).values).toEqual([
      "198.51.100.0/24",
    ]);
  });

  it("re-reads a file cut short by a crash with the same observation time: the same ids", async () => {
    const d = await dir();
    const file = join(d, "list.txt");
    const lines = Array.from({ length: 50 }, (_, i) => `192.0.2.${i + 1}`);
    await writeFile(file, `${lines.join("\n")}\n`);
    const cut = await testBot(fileFeed, { path: file, ...LIST });
    const before: string[] = [];
    for await (const ev of streamOf(cut)) {
      before.push(ev.id());
      if (before.length === 20) break; // the process dies here: the read never completes
    }
    await new Promise((r) => setTimeout(r, 1100)); // a later second, had the time been new
    const again = await readAll({ path: file, ...LIST }, cut.ctx.stateDir);
    const ids = new Set(again.events.map((e) => e.id()));
    expect(again.events).toHaveLength(50);
    expect(before.every((id) => ids.has(id))).toBe(true);
    // Once a read is complete, the next one is a new observation.
    await appendFile(file, "198.51.100.7\n");
    const next = await readAll({ path: file, ...LIST }, cut.ctx.stateDir);
    expect(next.events.map((e) => e.value("observation time"))).not.toContain(
      again.events[0]?.value("observation time"),
    );
  });

  it("reads every file of a directory (gzip too), naming the file of a bad line", async () => {
    const d = await dir();
    await mkdir(join(d, "in"));
    await writeFile(join(d, "in", "a.txt"), "192.0.2.1\nnonsense!\n");
    await writeFile(join(d, "in", "b.txt.gz"), gzipSync("192.0.2.2\n"));
    const { bot, values } = await readAll({ path: join(d, "in"), ...LIST });
    expect(values).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(bot.warnings).toEqual([
      'feed local (a.txt): 1 bad line skipped (first: feed local: a.txt line 2: "nonsense!" is not an address, CIDR, range, domain or URL)',
    ]);
  });

  it("replays the whole file every replay_interval", async () => {
    const d = await dir();
    const file = join(d, "sample.txt");
    await writeFile(file, "192.0.2.1\n");
    const bot = await testBot(fileFeed, { path: file, ...LIST, replay_interval: "50ms" });
    const got: Event[] = [];
    const done = (async () => {
      for await (const ev of streamOf(bot)) got.push(ev);
    })();
    await until("three replays", () => got.length >= 3);
    await bot.stop();
    await done;
    expect(new Set(got.map((e) => e.value("ip")))).toEqual(new Set(["192.0.2.1"]));
  });

  it("follows a growing CSV log across rotation, and resumes after a restart without re-sending", async () => {
    const d = await dir();
    const file = join(d, "app.log");
    const params = {
      path: file,
      follow: true,
      format: { type: "csv", columns: "header" },
      map: { fields: { src: "ip" } },
      name: "log",
    };
    await writeFile(file, "src,what\n192.0.2.1,login\n");
    const run = async (stateDir?: string) => {
      const bot = await testBot(fileFeed, params, stateDir ? { stateDir } : {});
      const got: string[] = [];
      const done = (async () => {
        for await (const ev of streamOf(bot)) got.push(ev.value("ip") ?? "?");
      })();
      return { bot, got, stop: async () => (await bot.stop(), await done) };
    };
    const a = await run();
    await until("the first line", () => a.got.length === 1);
    await appendFile(file, "192.0.2.2,login\n192.0.2.3,log");
    await until("the second line", () => a.got.length === 2);
    await appendFile(file, "out\n");
    await until("the completed third line", () => a.got.length === 3);
    await rename(file, `${file}.1`);
    await writeFile(file, "src,what\n198.51.100.1,login\n");
    await until("the first line of the new file", () => a.got.length === 4);
    await a.stop();
    expect(a.got).toEqual(["192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.1"]);

    await appendFile(file, "198.51.100.2,login\n");
    const b = await run(a.bot.ctx.stateDir);
    await until("the line written while stopped", () => b.got.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    await b.stop();
    expect(b.got).toEqual(["198.51.100.2"]);
  });

  it("refuses follow with a format that is not line-based", async () => {
    await expect(
      testBot(fileFeed, {
        path: "/x",
        follow: true,
        format: { type: "rss" },
        map: { fields: { link: "url" } },
      }),
    ).rejects.toThrow(/follow needs a line-based format/);
  });
});
