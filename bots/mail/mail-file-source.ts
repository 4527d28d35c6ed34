/**
 * The `mail-file` source: the mail intake over mails kept as files (offline use, replaying an
 * archive, tests): an mbox, a Maildir or a directory of .eml files. Read once, or watched.
 *
 * It remembers what it read: for an mbox the byte offset after the last mail done (a new
 * file, or one cut shorter, is read from the start), for a directory each file's identity in
 * the seen-mails set; and, for all, each mail's Message-ID + body hash, so a mail in two
 * files gives its events once.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  beginRead,
  defineBot,
  missingFiles,
  param,
  type BotContext,
  type Event,
} from "../../core/index.js";
import { intakeParams, openMailSource, readMail, type MailSource } from "./mail-source.js";
import { formatOf, mailFiles, mboxMails, readStart, type MailFileFormat } from "./mail-files.js";

const params = {
  path: param.string({
    help: "An mbox file, a Maildir (a directory with new/ and cur/), a directory of .eml files, or one .eml file",
  }),
  format: param.oneOf(["auto", "mbox", "maildir", "eml"] as const, {
    help: "What path holds; auto: a directory with new/ or cur/ is a Maildir, another directory holds .eml files, a file is an mbox (.eml: one mail)",
    default: "auto",
  }),
  watch: param.duration({
    help: "Look for new mail every interval (mails added to the directory, appended to the mbox); 0 reads once and stops",
    default: 0,
  }),
  ...intakeParams,
};

type Ctx = BotContext<typeof params>;

interface MboxPosition {
  path: string;
  ino: number;
  offset: number;
  /** Messages before `offset`, for messages (`archive.mbox message 7`). */
  count: number;
}

const POSITION = "mail-file-position";

export const mailFile = defineBot({
  name: "mail-file",
  kind: "source",
  description:
    "Reads abuse mails from an mbox, a Maildir or a directory of .eml files (once, or watching for new ones) and emits their reports as events, each mail once.",
  params,
  check: (p) => missingFiles({ path: p.path }),
  async start(ctx) {
    const src = await openMailSource(ctx);
    return { stream: () => fileEvents(ctx, src) };
  },
});

async function* fileEvents(ctx: Ctx, src: MailSource): AsyncGenerator<Event, void> {
  let lastSize: number | undefined;
  for (let first = true; first || ctx.params.watch > 0; first = false) {
    if (!first)
      await sleep(ctx.params.watch, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) return;
    const format: MailFileFormat =
      ctx.params.format === "auto" ? await formatOf(ctx.params.path) : ctx.params.format;
    // A read's observation time is kept until it is done: a read cut short by a crash is
    // done again with the same time, so the events it had sent keep their ids.
    const observed = await beginRead(ctx.state, "mail-read");
    if (format === "mbox") {
      const size = (await stat(ctx.params.path)).size;
      // While watched, the last mail is read once the file stopped growing for one interval.
      const final = ctx.params.watch === 0 || size === lastSize;
      lastSize = size;
      yield* readMbox(ctx, src, observed.time, final);
    } else {
      yield* readDirectory(ctx, src, format, observed.time);
    }
    await observed.done();
  }
}

async function* readMbox(
  ctx: Ctx,
  src: MailSource,
  observed: string,
  final: boolean,
): AsyncGenerator<Event, void> {
  const { path, max_bytes: maxBytes } = ctx.params;
  const { ino, size } = await stat(path);
  const saved = await ctx.state.read<MboxPosition>(POSITION);
  let pos: MboxPosition = { path, ino, offset: 0, count: 0 };
  if (saved?.path === path && saved.ino === ino && saved.offset <= size) pos = saved;
  else if (saved?.path === path && saved.offset > 0) {
    ctx.log.info({ path }, "mbox replaced or cut shorter: reading it from the start");
  }
  if (pos.offset === size) return;
  const name = basename(path);
  for await (const m of mboxMails(path, pos.offset, maxBytes, final)) {
    if (ctx.signal.aborted) return;
    const where = `${name} message ${pos.count + 1} (byte ${m.start})`;
    yield* readMail(ctx, src, { raw: m.raw, where, size: m.size }, observed);
    pos = { path, ino, offset: m.end, count: pos.count + 1 };
    await ctx.state.write(POSITION, pos);
  }
}

async function* readDirectory(
  ctx: Ctx,
  src: MailSource,
  format: "maildir" | "eml",
  observed: string,
): AsyncGenerator<Event, void> {
  const files = await mailFiles(ctx.params.path, format);
  if (files.length * 2 > src.seen.capacity) {
    ctx.warn(
      `mail-file: ${files.length} mail files but seen_mails is ${src.seen.capacity}: raise it above ${files.length * 2}, or files read long ago are read again`,
    );
  }
  for (const f of files) {
    if (ctx.signal.aborted) return;
    const fileKey = createHash("sha256").update(f.identity).digest("hex").slice(0, 32);
    if (src.seen.has(fileKey)) continue;
    // Gone meanwhile (a reader moved it from new/ to cur/): the next look finds it there.
    const raw = await readStart(f.file, ctx.params.max_bytes).catch(() => undefined);
    if (raw === undefined) continue;
    yield* readMail(ctx, src, { raw, where: f.name, size: f.size }, observed);
    // Whatever the mail came to (failed ones too: they are in the dead letters), the file is
    // done and is not read again at the next look.
    await src.seen.add(fileKey);
  }
}
