/**
 * One IMAP connection of the `imap` source: open the mailbox, read every message past the
 * saved position, move each to `processed` (or `failed`) once its events are accepted, then
 * IDLE until new mail (or the poll interval) and go again. Any connection trouble throws;
 * imap-source.ts makes a new client and comes back with backoff.
 *
 * The position is UIDVALIDITY + the last UID done (RFC 3501 §2.3.1.1), in ctx.state, never
 * \Seen: a person reading the mailbox changes nothing. When UIDVALIDITY changes, the UIDs mean
 * other messages: the mailbox is read again from the start and seen.ts keeps mails already
 * read from giving events twice.
 */
import type { ImapFlow, MailboxObject } from "imapflow";
import { beginRead, type BotContext, type Event, type ParamSpec } from "../../core/index.js";
import { readMail, type MailOutcome, type MailSource } from "./mail-source.js";

export interface SessionParams {
  mailbox: string;
  processed: string;
  failed: string;
  poll_interval: number;
  batch: number;
  max_bytes: number;
}

type Ctx = BotContext<Record<string, ParamSpec<unknown>>>;

interface Position {
  mailbox: string;
  uidValidity: string;
  lastUid: number;
}

const POSITION = "imap-position";

export interface SessionState {
  /** Set once the session has read the mailbox through: a later failure starts backoff anew. */
  healthy: boolean;
}

export async function* imapSession(
  ctx: Ctx,
  p: SessionParams,
  src: MailSource,
  client: ImapFlow,
  state: SessionState,
): AsyncGenerator<Event, void> {
  let trouble: Error | undefined;
  let newMail = true;
  let wake: (() => void) | undefined;
  const rouse = () => wake?.();
  client.on("error", (err: Error) => {
    trouble ??= err;
    rouse();
  });
  client.on("close", () => {
    trouble ??= new Error("the server closed the connection");
    rouse();
  });
  client.on("exists", () => {
    newMail = true;
    rouse();
  });
  ctx.signal.addEventListener("abort", rouse);
  try {
    await client.connect();
    for (const folder of [p.processed, p.failed]) await ensureFolder(client, folder);
    const box = await client.mailboxOpen(p.mailbox);
    let pos = await startPosition(ctx, p.mailbox, box);
    const tls = client.secureConnection ? "tls" : "plaintext (loopback)";
    ctx.log.info({ ...pos, messages: box.exists, tls }, "mailbox open");
    while (!ctx.signal.aborted) {
      if (trouble) throw trouble;
      newMail = false;
      const uids = await uidsAfter(client, pos.lastUid);
      for (let i = 0; i < uids.length && !ctx.signal.aborted; i += p.batch) {
        // One observation time per batch, kept until it is done: a batch cut short by a
        // crash is read again with the same time, so its events keep their ids.
        const observed = await beginRead(ctx.state, "mail-read");
        for (const uid of uids.slice(i, i + p.batch)) {
          if (ctx.signal.aborted) return;
          const outcome = yield* readUid(ctx, p, src, client, uid, observed.time);
          if (outcome !== undefined) await moveTo(client, uid, outcome, p);
          pos = { ...pos, lastUid: uid };
          await ctx.state.write(POSITION, pos);
        }
        await observed.done();
      }
      state.healthy = true;
      if (newMail || uids.length > 0) continue; // more may have come while we were busy
      // IDLE now rather than after imapflow's own delay: new mail shows within a second.
      client.idle().catch(() => undefined);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, p.poll_interval);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
        if (newMail || trouble || ctx.signal.aborted) done();
      });
    }
  } finally {
    ctx.signal.removeEventListener("abort", rouse);
    client.close();
  }
}

async function* readUid(
  ctx: Ctx,
  p: SessionParams,
  src: MailSource,
  client: ImapFlow,
  uid: number,
  observed: string,
): AsyncGenerator<Event, MailOutcome | undefined> {
  const where = `imap ${p.mailbox} uid ${uid}`;
  // BODY.PEEK: reading sets no \Seen flag. Only the first max_bytes are fetched, so one
  // huge mail costs no more memory than the limit.
  const source = { start: 0, maxLength: p.max_bytes };
  const msg = await client.fetchOne(String(uid), { uid: true, size: true, source }, { uid: true });
  if (!msg || !msg.source) {
    ctx.log.info({ where }, "message gone before it was read (deleted meanwhile)");
    return undefined;
  }
  const mail = { raw: msg.source, where, ...(msg.size === undefined ? {} : { size: msg.size }) };
  return yield* readMail(ctx, src, mail, observed);
}

/** MOVE (RFC 6851), or COPY + \Deleted + EXPUNGE where the server lacks it (imapflow does). */
async function moveTo(
  client: ImapFlow,
  uid: number,
  outcome: MailOutcome,
  p: SessionParams,
): Promise<void> {
  const folder = outcome === "failed" ? p.failed : p.processed;
  const moved = await client.messageMove(String(uid), folder, { uid: true });
  if (!moved) throw new Error(`could not move ${p.mailbox} uid ${uid} to ${folder}`);
}

async function ensureFolder(client: ImapFlow, folder: string): Promise<void> {
  const list = await client.list();
  if (list.some((b) => b.path === folder)) return;
  await client.mailboxCreate(folder);
}

/** UIDs above `last`, ascending. `n:*` always names the newest message, even below n. */
async function uidsAfter(client: ImapFlow, last: number): Promise<number[]> {
  const found = await client.search({ uid: `${last + 1}:*` }, { uid: true });
  return (found || []).filter((u) => u > last).sort((a, b) => a - b);
}

async function startPosition(ctx: Ctx, mailbox: string, box: MailboxObject): Promise<Position> {
  const uidValidity = String(box.uidValidity);
  const saved = await ctx.state.read<Position>(POSITION);
  if (saved?.mailbox === mailbox && saved.uidValidity === uidValidity) return saved;
  if (saved?.mailbox === mailbox) {
    ctx.warn(
      `imap ${mailbox}: UIDVALIDITY changed (${saved.uidValidity} -> ${uidValidity}): reading the mailbox again; mails already read give no events twice`,
    );
  }
  const fresh = { mailbox, uidValidity, lastUid: 0 };
  await ctx.state.write(POSITION, fresh);
  return fresh;
}
