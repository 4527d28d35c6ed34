import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailKey, SeenMails } from "./seen.js";
import { composeMail } from "./test-mails.js";

const key = (i: number) => mailKey(composeMail({ messageId: `m${i}@example.com` }), `m${i}`);

describe("seen mails", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "seen-"));
    file = join(dir, "state", "seen-mails.txt");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("knows a second delivery of the same mail: same Message-ID and body", () => {
    const first = composeMail({ headers: ["Received: from a.example.net by mx1.example.net"] });
    const again = Buffer.from(
      composeMail({ headers: ["Received: from b.example.net by mx2.example.net"] })
        .toString()
        .replace(/\r\n/g, "\n"), // a Maildir copy with LF line ends
    );
    expect(mailKey(again, "report-1@reports.example.com")).toBe(
      mailKey(first, "report-1@reports.example.com"),
    );
    // Another body, or another Message-ID, is another mail.
    const other = composeMail({ body: "IP: 192.0.2.2\n" });
    expect(mailKey(other, "report-1@reports.example.com")).not.toBe(
      mailKey(first, "report-1@reports.example.com"),
    );
    expect(mailKey(first, "report-2@reports.example.com")).not.toBe(
      mailKey(first, "report-1@reports.example.com"),
    );
    expect(mailKey(first, undefined)).toMatch(/^[0-9a-f]{32}$/);
  });

  it("keeps what was added across a restart", async () => {
    const seen = await SeenMails.open(file);
    await seen.add(key(1), key(2));
    expect(seen.has(key(1))).toBe(true);
    const again = await SeenMails.open(file);
    expect([again.has(key(1)), again.has(key(2)), again.has(key(3))]).toEqual([true, true, false]);
  });

  it("stays bounded: the newest keys are kept, the file is rewritten at twice the capacity", async () => {
    const seen = await SeenMails.open(file, 10);
    for (let i = 0; i < 25; i++) await seen.add(key(i));
    expect(seen.size).toBe(10);
    expect(seen.has(key(24)) && seen.has(key(15))).toBe(true);
    expect(seen.has(key(14))).toBe(false);
    const lines = (await readFile(file, "latin1")).trim().split("\n");
    expect(lines.length).toBeLessThan(20);
    const again = await SeenMails.open(file, 10);
    expect([again.size, again.has(key(24)), again.has(key(14))]).toEqual([10, true, false]);
  });

  it("skips lines that are not keys (a torn last line after a crash)", async () => {
    await SeenMails.open(file); // makes the directory
    await writeFile(file, `${key(1)}\nnot a key\n${key(2).slice(0, 10)}`);
    const seen = await SeenMails.open(file);
    expect([seen.size, seen.has(key(1))]).toEqual([1, true]);
    await seen.add(key(3));
    expect((await SeenMails.open(file)).has(key(3))).toBe(true);
  });
});
