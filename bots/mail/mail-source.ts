/**
 * What the `imap` and `mail-file` sources share: the intake params, and the life of one mail
 * from raw bytes to events accepted by the publisher. Events are yielded: the runtime
 * publishes each one before it asks for the next (core/host/runtime/drive.ts, Outputs.source),
 * so once the generator resumes after a mail's last event, all of them are accepted (or set
 * aside as dead letters by the runtime); only then is the mail recorded as seen and may the
 * caller move its position past it (DESIGN.md "Delivery").
 */
import { join } from "node:path";
import { param, type BotContext, type Event, type ParamSpec } from "../../core/index.js";
import type { MailHandler } from "./handler.js";
import { mailHandlers } from "./handlers.js";
import { intake, headerMessageId, type IntakeOptions } from "./intake.js";
import { mailKey, SeenMails } from "./seen.js";
import { checkTrust } from "./trust.js";

type ParamSpecs = Record<string, ParamSpec<unknown>>;

export const intakeParams = {
  reporter: param.list({
    help: "The mesh's own sender addresses (the reporter's From): mail from them is dropped, so the mesh never reads its own complaints",
    default: [],
  }),
  authserv_id: param.list({
    help: "authserv-ids of your own MX whose Authentication-Results dkim=pass is believed (the MX must remove such fields that arrive from outside, RFC 8601 §5)",
    default: [],
  }),
  dns_timeout: param.duration({
    help: "Time allowed for checking one mail's DKIM/ARC signatures, DNS lookups included",
    default: 10_000,
  }),
  max_bytes: param.int({
    help: "Largest mail read, in bytes; a larger one is set aside unread (failed)",
    default: 25 * 1024 * 1024,
    min: 1024,
  }),
  seen_mails: param.int({
    help: "How many mails (Message-ID + body hash) are remembered so that a second delivery gives no events again",
    default: 100_000,
    min: 100,
  }),
};

type IntakeParamValues = {
  reporter: string[];
  authserv_id: string[];
  dns_timeout: number;
  max_bytes: number;
  seen_mails: number;
};

export interface MailSource {
  intake: IntakeOptions;
  seen: SeenMails;
}

/** What a mail came to. */
export type MailOutcome = "read" | "failed" | "dropped" | "duplicate";

/** The intake and seen set of a source instance. */
export async function openMailSource<P extends ParamSpecs>(
  ctx: BotContext<P>,
  handlers: readonly MailHandler[] = mailHandlers(ctx.params),
): Promise<MailSource> {
  const p = ctx.params as unknown as IntakeParamValues;
  const trustOpts = { authservIds: p.authserv_id, timeoutMs: p.dns_timeout };
  return {
    intake: {
      handlers,
      maxBytes: p.max_bytes,
      ownAddresses: p.reporter,
      trust: (mail, from) => checkTrust(mail.raw, from, mail.headers, trustOpts),
    },
    seen: await SeenMails.open(join(ctx.stateDir, "seen-mails.txt"), p.seen_mails),
  };
}

export interface MailAt {
  raw: Buffer;
  /** Where it is, for messages and dead letters: `imap INBOX uid 42`. */
  where: string;
  /** Its whole size when `raw` was cut at the size limit. */
  size?: number;
}

/**
 * Read one mail and yield its events; returns what it came to once they are all accepted.
 * A mail nobody reads is counted, logged once and kept in the dead letters.
 */
export async function* readMail<P extends ParamSpecs>(
  ctx: BotContext<P>,
  src: MailSource,
  mail: MailAt,
  observed: string,
): AsyncGenerator<Event, MailOutcome> {
  const key = mailKey(mail.raw, headerMessageId(mail.raw));
  if (src.seen.has(key)) {
    ctx.count("duplicate mails");
    ctx.log.info({ where: mail.where }, "mail already read (same Message-ID and body): skipped");
    return "duplicate";
  }
  const r = await intake(mail.raw, mail.where, observed, src.intake, mail.size);
  const id = r.messageId === undefined ? "" : ` <${r.messageId}>`;
  if (r.kind === "failed") {
    ctx.count("failed mails");
    ctx.reject({
      where: `${mail.where}${id}`,
      text: mail.raw.subarray(0, 8192).toString("utf8"),
      reason: r.reason,
    });
    const fields = { where: mail.where, messageId: r.messageId, handler: r.handler };
    if (r.bug) ctx.log.error({ ...fields, err: r.bug }, "a mail handler failed on a mail");
    ctx.warn(`mail set aside (dead letters): ${r.reason}`, fields);
    return "failed";
  }
  if (r.kind === "dropped") {
    ctx.count("dropped mails");
    ctx.log.info({ where: mail.where, messageId: r.messageId }, `mail dropped: ${r.reason}`);
    await src.seen.add(key);
    return "dropped";
  }
  if (r.problems.length > 0) {
    ctx.count("mail problems", r.problems.length);
    const shown = r.problems.slice(0, 10);
    ctx.log.warn(
      { where: mail.where, problems: shown, count: r.problems.length },
      "mail read in part",
    );
  }
  for (const event of r.events) yield event;
  await src.seen.add(key);
  ctx.count("mails read");
  ctx.count(`mails: ${r.handler}`);
  ctx.log.debug(
    { where: mail.where, handler: r.handler, reason: r.reason, events: r.events.length },
    "mail read",
  );
  return "read";
}
