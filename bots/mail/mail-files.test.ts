import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatOf, mailFiles, mboxMails, type MboxMail } from "./mail-files.js";

const MBOX = [
  "From fbl@example.com Tue May 14 10:09:07 2024",
  "Subject: one",
  "",
  "first body",
  ">From the start, this line was quoted",
  ">>From here too, twice",
  "From inside a paragraph is no separator",
  "",
  "From abuse@example.org Tue May 14 10:10:00 2024",
  "Subject: two",
  "",
  "second body",
  "",
  "From x@example.net Tue May 14 10:11:00 2024",
  "Subject: three",
  "",
  "third body",
  "",
].join("\n");

async function all(gen: AsyncIterable<MboxMail>): Promise<MboxMail[]> {
  const out: MboxMail[] = [];
  for await (const m of gen) out.push(m);
  return out;
}

describe("mail files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "mail-files-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("splits an mbox on From lines after a blank line, unquoting >From", async () => {
    const file = join(dir, "archive.mbox");
    await writeFile(file, MBOX);
    const mails = await all(mboxMails(file, 0, 1 << 20, true));
    expect(mails.map((m) => m.raw.toString())).toEqual([
      "Subject: one\n\nfirst body\nFrom the start, this line was quoted\n>From here too, twice\nFrom inside a paragraph is no separator\n",
      "Subject: two\n\nsecond body\n",
      "Subject: three\n\nthird body\n",
    ]);
    expect(mails[0]?.start).toBe(0);
    expect(mails.map((m) => MBOX.slice(m.start, m.start + 5))).toEqual(["From ", "From ", "From "]);
    expect(mails.at(-1)?.end).toBe(Buffer.byteLength(MBOX));
  });

  it("resumes from a mail's end offset with the mails after it", async () => {
    const file = join(dir, "archive.mbox");
    await writeFile(file, MBOX);
    const [first] = await all(mboxMails(file, 0, 1 << 20, true));
    const rest = await all(mboxMails(file, first?.end ?? 0, 1 << 20, true));
    expect(rest.map((m) => m.raw.toString().split("\n")[0])).toEqual([
      "Subject: two",
      "Subject: three",
    ]);
  });

  it("holds back the last mail while the mbox may still be written", async () => {
    const file = join(dir, "archive.mbox");
    await writeFile(file, MBOX);
    const mails = await all(mboxMails(file, 0, 1 << 20, false));
    expect(mails).toHaveLength(2);
  });

  it("cuts a mail at the size limit but says its whole size, and finds the next", async () => {
    const file = join(dir, "big.mbox");
    const huge = "A".repeat(3 << 20); // one 3 MiB line: read in pieces
    await writeFile(
      file,
      `From a@example.com x\nSubject: big\n\n${huge}\n\nFrom b@example.com y\nSubject: small\n\nok\n`,
    );
    const mails = await all(mboxMails(file, 0, 4096, true));
    expect(mails.map((m) => [m.raw.length, m.size > 3 << 20])).toEqual([
      [4096, true],
      [19, false],
    ]);
    expect(mails[1]?.raw.toString()).toBe("Subject: small\n\nok\n");
  });

  it("keeps CRLF line ends as they are", async () => {
    const file = join(dir, "crlf.mbox");
    await writeFile(
      file,
      "From a@example.com x\r\nSubject: a\r\n\r\nbody\r\n\r\nFrom b@example.com y\r\nSubject: b\r\n\r\nx\r\n",
    );
    const mails = await all(mboxMails(file, 0, 1 << 20, true));
    expect(mails.map((m) => m.raw.toString())).toEqual([
      "Subject: a\r\n\r\nbody\r\n",
      "Subject: b\r\n\r\nx\r\n",
    ]);
  });

  it("lists a Maildir's new/ and cur/ by delivery time, a file keeping its identity when flagged", async () => {
    const md = join(dir, "Maildir");
    for (const sub of ["new", "cur", "tmp"]) await mkdir(join(md, sub), { recursive: true });
    await writeFile(join(md, "new", "1715681400.M2P1.mx"), "Subject: b\n\nb\n");
    await writeFile(join(md, "cur", "1715681300.M1P1.mx:2,S"), "Subject: a\n\na\n");
    await writeFile(join(md, "tmp", "1715681500.M3P1.mx"), "half written");
    expect(await formatOf(md)).toBe("maildir");
    const files = await mailFiles(md, "maildir");
    expect(files.map((f) => f.name)).toEqual([
      "cur/1715681300.M1P1.mx:2,S",
      "new/1715681400.M2P1.mx",
    ]);
    expect(files[0]?.identity).toBe("maildir:1715681300.M1P1.mx:14");
  });

  it("lists the .eml files of a directory, and tells the formats apart", async () => {
    await writeFile(join(dir, "b.eml"), "Subject: b\n\nb\n");
    await writeFile(join(dir, "a.eml"), "Subject: a\n\na\n");
    await writeFile(join(dir, "notes.txt"), "not a mail");
    expect(await formatOf(dir)).toBe("eml");
    expect((await mailFiles(dir, "eml")).map((f) => f.name)).toEqual(["a.eml", "b.eml"]);
    expect(await formatOf(join(dir, "a.eml"))).toBe("eml");
    expect((await mailFiles(join(dir, "a.eml"), "eml")).map((f) => f.size)).toEqual([14]);
    await writeFile(join(dir, "archive"), MBOX);
    expect(await formatOf(join(dir, "archive"))).toBe("mbox");
  });
});
