/**
 * One mail in, its events out: the part the `imap` and `mail-file` sources (and `mail-test`)
 * share. The mail is parsed (up to a size cap), the first handler in the list whose match()
 * answers reads it, and every event gets the envelope keys (envelope.ts). A mail nobody can
 * read is a failure with the reason, for the caller to set aside; a mail from the mesh's own
 * reporter is dropped, so the mesh never reads its own complaints (no loops).
 */
import type { Event } from "../../core/index.js";
import { mailKeys, messageIdOf, senderOf, withEnvelope } from "./envelope.js";
import {
  DEFAULT_LIMITS,
  MailError,
  type HandlerContext,
  type MailHandler,
  type MailInput,
  type MailLimits,
} from "./handler.js";
import { headerLines, parseMail } from "./parse.js";
import type { Trust } from "./trust.js";

export interface IntakeOptions {
  /** Tried in order; the first whose match() answers reads the mail. */
  handlers: readonly MailHandler[];
  /** Largest mail read, in bytes; a larger one fails without being parsed. */
  maxBytes: number;
  /** The mesh's own sender addresses (the reporter's From): mails from them are dropped. */
  ownAddresses?: readonly string[];
  /** Whether the mail proves its sender (trust.ts checkTrust with the bot's options). */
  trust(mail: MailInput, from: string | undefined): Promise<Trust>;
  limits?: MailLimits;
  download?: HandlerContext["download"];
}

/** A mail a handler read: its events carry the envelope keys. */
export interface MailRead {
  kind: "read";
  handler: string;
  /** Why that handler took it (its match() answer). */
  reason: string;
  events: Event[];
  /** Parts or rows skipped, each saying where and what. */
  problems: string[];
  notes: string[];
  trust: Trust;
  messageId: string | undefined;
}

/** A mail that gives no events on purpose (from the mesh's own reporter). */
export interface MailDropped {
  kind: "dropped";
  reason: string;
  messageId: string | undefined;
}

/** A mail no handler could read: set it aside with the reason. */
export interface MailFailed {
  kind: "failed";
  reason: string;
  /** The handler that took it and failed, if one did. */
  handler?: string;
  /** The failure was a bug (a handler threw something else than a MailError). */
  bug?: Error;
  messageId: string | undefined;
}

export type IntakeResult = MailRead | MailDropped | MailFailed;

/** The Message-ID from the header block alone (no full parse), for keys and messages. */
export function headerMessageId(raw: Buffer): string | undefined {
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024));
  return messageIdOf(headerLines(head).get("message-id")?.[0]);
}

/**
 * Read one mail. `where` names it in messages (`imap INBOX uid 42`); `observed` is the
 * read's observation time; `size` is the mail's whole size when `raw` is only its start.
 * Never throws for a bad mail: the result says what happened.
 */
export async function intake(
  raw: Buffer,
  where: string,
  observed: string,
  opts: IntakeOptions,
  size = raw.length,
): Promise<IntakeResult> {
  const messageId = headerMessageId(raw);
  if (size > opts.maxBytes || raw.length > opts.maxBytes) {
    const reason = `${where}: the mail is ${Math.max(size, raw.length)} bytes, over the limit of ${opts.maxBytes}`;
    return { kind: "failed", reason, messageId };
  }
  let mail: MailInput;
  try {
    mail = await parseMail(raw, where);
  } catch (err) {
    return { kind: "failed", reason: `${where}: not a readable mail: ${text(err)}`, messageId };
  }
  const from = senderOf(mail);
  const own = new Set((opts.ownAddresses ?? []).map((a) => a.toLowerCase()));
  if (from !== undefined && own.has(from)) {
    return { kind: "dropped", reason: `from the mesh's own address ${from}`, messageId };
  }
  const chosen = choose(opts.handlers, mail);
  if ("failed" in chosen) return { kind: "failed", ...chosen.failed, messageId };
  const { handler, reason } = chosen;
  let result;
  try {
    result = await handler.read(mail, {
      limits: opts.limits ?? DEFAULT_LIMITS,
      ...(opts.download ? { download: opts.download } : {}),
    });
  } catch (err) {
    const failed: MailFailed = {
      kind: "failed",
      handler: handler.name,
      reason: err instanceof MailError ? err.message : `${where}: ${handler.name}: ${text(err)}`,
      messageId,
    };
    if (!(err instanceof MailError)) failed.bug = err instanceof Error ? err : new Error(text(err));
    return failed;
  }
  const trust = await opts.trust(mail, from);
  const keys = mailKeys(mail, { observed, trust });
  return {
    kind: "read",
    handler: handler.name,
    reason,
    events: withEnvelope(result.events, keys, handler.name),
    problems: result.problems ?? [],
    notes: result.notes ?? [],
    trust,
    messageId,
  };
}

type Choice =
  | { handler: MailHandler; reason: string }
  | { failed: { reason: string; handler?: string; bug?: Error } };

/** The first handler that takes the mail; a match() that throws is a bug, and a failure. */
function choose(handlers: readonly MailHandler[], mail: MailInput): Choice {
  for (const handler of handlers) {
    let reason: string | undefined;
    try {
      reason = handler.match(mail);
    } catch (err) {
      const bug = err instanceof Error ? err : new Error(text(err));
      const why = `${mail.where}: ${handler.name}: match() failed: ${text(err)}`;
      return { failed: { reason: why, handler: handler.name, bug } };
    }
    if (reason !== undefined) return { handler, reason };
  }
  const names = handlers.map((h) => h.name).join(", ") || "none";
  return { failed: { reason: `${mail.where}: no handler reads this mail (tried ${names})` } };
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
