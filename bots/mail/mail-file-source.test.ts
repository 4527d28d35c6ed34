import { mkdir, mkdtemp, rename, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Event } from "../../core/index.js";
import { testBot } from "../../core/testing.js";
import { mailFile } from "./mail-file-source.js";
import { arfMail, helloMail } from "./test-mails.js";

/** Mails as an mboxrd file: a From_ line before each, body From lines quoted. */
function mbox(...mails: Buffer[]): string {
  return mails
    .map((m) => {
      const text = m
        .toString()
        .replace(/\r\n/g, "\n")
        .replace(/^(>*From )/gm, ">$1");
      return `From fbl@fbl.example.com Tue May 14 10:09:07 2024\n${text}\n`;
    })
    .join("");
}

/** A dead letter of a record (not an event): where it was and why. */
type Rejected = { where?: string; reason: string };

const idsOf = (events: { "mail message id"?: string[] }[]) =>
  events.map((e) => e["mail message id"]?.[0]);

describe("mail-file source", () => {
  let dir: string;
  let state: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "mail-file-"));
    state = join(dir, "state");
    await mkdir(state);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const run = async (params: Record<string, unknown>) => {
    const bot = await testBot(mailFile, params, { stateDir: state });
    const events = await bot.poll();
    await bot.stop();
    return { bot, events };
  };

  it("reads an mbox once: each mail's events, an unreadable mail set aside, nothing again after", async () => {
    const path = join(dir, "archive.mbox");
    await writeFile(path, mbox(arfMail(1), helloMail, arfMail(2)));
    const { bot, events } = await run({ path });
    expect(idsOf(events)).toEqual(["fbl-1@fbl.example.com", "fbl-2@fbl.example.com"]);
    expect(events[0]).toMatchObject({ ip: ["192.0.2.1"], "report format": ["arf"] });
    const letters = bot.deadLetters() as Rejected[];
    expect(letters.map((l) => l.where)).toEqual([
      `archive.mbox message 2 (byte ${mbox(arfMail(1)).length}) <hello-1@example.org>`,
    ]);
    expect(letters[0]?.reason).toContain("no handler reads this mail");
    expect(bot.counters.get("failed mails")).toBe(1);
    expect(bot.counters.get("mails read")).toBe(2);
    expect((await run({ path })).events).toEqual([]);
    // Appended mail is read next time, from where the last read stopped.
    await appendFile(path, mbox(arfMail(3)));
    expect(idsOf((await run({ path })).events)).toEqual(["fbl-3@fbl.example.com"]);
  });

  it("after a crash mid-read, sends the interrupted mail's events again with the same ids", async () => {
    const path = join(dir, "archive.mbox");
    await writeFile(path, mbox(arfMail(1), arfMail(2)));
    const first = await testBot(mailFile, { path }, { stateDir: state });
    const stream = first.running.stream?.();
    if (!stream) throw new Error("no stream");
    let sent: Event | undefined;
    for await (const e of stream) {
      sent = new Event(e);
      break; // the process dies right after publishing the first event
    }
    await first.stop();
    const { events } = await run({ path });
    expect(idsOf(events)).toEqual(["fbl-1@fbl.example.com", "fbl-2@fbl.example.com"]);
    expect(new Event(events[0] ?? {}).id()).toBe(sent?.id());
  });

  it("reads a Maildir, and not again when a reader moves a mail to cur/ or a copy arrives", async () => {
    const md = join(dir, "Maildir");
    for (const sub of ["new", "cur", "tmp"]) await mkdir(join(md, sub), { recursive: true });
    await writeFile(join(md, "new", "1715681300.M1P1.mx"), arfMail(1));
    await writeFile(join(md, "new", "1715681400.M2P1.mx"), arfMail(2));
    expect(idsOf((await run({ path: md })).events)).toEqual([
      "fbl-1@fbl.example.com",
      "fbl-2@fbl.example.com",
    ]);
    await rename(join(md, "new", "1715681300.M1P1.mx"), join(md, "cur", "1715681300.M1P1.mx:2,S"));
    // The same mail delivered again (another Received line): same Message-ID and body.
    const copy = Buffer.concat([Buffer.from("Received: from mx2.example.test\r\n"), arfMail(2)]);
    await writeFile(join(md, "new", "1715681500.M3P1.mx"), copy);
    await writeFile(join(md, "new", "1715681600.M4P1.mx"), arfMail(4));
    const { bot, events } = await run({ path: md });
    expect(idsOf(events)).toEqual(["fbl-4@fbl.example.com"]);
    expect(bot.counters.get("duplicate mails")).toBe(1);
  });

  it("reads a directory of .eml files, setting aside one over the size limit", async () => {
    await writeFile(join(dir, "a.eml"), arfMail(1));
    await writeFile(join(dir, "b.eml"), Buffer.concat([arfMail(2), Buffer.alloc(4096, 0x41)]));
    const { bot, events } = await run({ path: dir, max_bytes: 4096 });
    expect(idsOf(events)).toEqual(["fbl-1@fbl.example.com"]);
    const [letter] = bot.deadLetters() as Rejected[];
    expect(letter?.where).toBe("b.eml <fbl-2@fbl.example.com>");
    expect(letter?.reason).toMatch(/^b\.eml: the mail is \d+ bytes, over the limit of 4096$/);
    // A failed file is not read (and set aside) again at the next look.
    const again = await run({ path: dir, max_bytes: 4096 });
    expect([again.events, again.bot.deadLetters().length]).toEqual([[], 1]);
  });

  it("watches: mails added later are read without a restart", async () => {
    await writeFile(join(dir, "a.eml"), arfMail(1));
    const bot = await testBot(mailFile, { path: dir, watch: "50ms" }, { stateDir: state });
    const stream = bot.running.stream?.();
    if (!stream) throw new Error("no stream");
    const got: (string | undefined)[] = [];
    let added = false;
    for await (const e of stream) {
      got.push(new Event(e).value("mail message id"));
      if (!added) {
        added = true;
        await writeFile(join(dir, "b.eml"), arfMail(2));
      }
      if (got.length === 2) break;
    }
    await bot.stop();
    expect(got).toEqual(["fbl-1@fbl.example.com", "fbl-2@fbl.example.com"]);
  });

  it("names a path that is not there at check time", async () => {
    await expect(testBot(mailFile, { path: join(dir, "missing.mbox") })).rejects.toThrow(
      /path: no such file/,
    );
  });
});
