/**
 * The contract between the mail intake (the `imap` and `mail-file` sources, `startup.ts
 * mail-test`) and the handlers that read one kind of abuse mail each (ARF, X-ARF, SpamCop,
 * Shadowserver, fail2ban, CSV attachments, provider templates).
 *
 * A handler is small and pure: `match()` says why it takes a mail (or undefined), `read()`
 * turns the mail into events. The intake tries handlers in a visible order (handlers.ts), adds
 * the keys every mail event carries (subject, sender, Message-ID, date, observation time,
 * trust; see mailKeys() in envelope.ts) and sets aside a mail nobody reads.
 *
 * `read()` throws a MailError when the mail is the handler's format but broken: the message
 * says where (`part 2 (message/feedback-report), line 4`) and what (`Source-IP "300.1.2.3" is not
 * an IP address`). Rows or parts that are bad on their own are skipped and listed in
 * `problems`, so one bad row loses nothing else.
 */
import type { AddressObject, Attachment, ParsedMail } from "mailparser";
import type { EventInit } from "../../core/index.js";

/** A parsed mail as handlers see it. */
export interface MailInput {
  /** The mail as received (bounded by the intake's size cap). */
  raw: Buffer;
  /** mailparser's result (attachments included, with their content). */
  parsed: ParsedMail;
  /** Lower-case header name → raw values in order (several `Received`, for instance). */
  headers: ReadonlyMap<string, readonly string[]>;
  /** Where it came from, for messages: `INBOX uid 42`, `archive.mbox message 7`, a file path. */
  where: string;
}

/** Caps that keep a hostile mail from using unbounded memory (zip bombs, huge CSVs). */
export interface MailLimits {
  /** Bytes of one attachment, before decompression. */
  attachmentBytes: number;
  /** Bytes after decompression, per attachment. */
  decompressedBytes: number;
  /** Rows read from one CSV attachment. */
  rows: number;
}

export const DEFAULT_LIMITS: MailLimits = {
  attachmentBytes: 25 * 1024 * 1024,
  decompressedBytes: 200 * 1024 * 1024,
  rows: 1_000_000,
};

export interface HandlerContext {
  limits: MailLimits;
  /** Download a report link (Shadowserver); absent where the intake does not allow it. */
  download?(url: string): Promise<Buffer>;
}

export interface HandlerResult {
  /** The report's events, with the handler's own keys (type, category, ip, url, ...). */
  events: EventInit[];
  /** Parts or rows skipped, each saying where and what; counted, the rest is kept. */
  problems?: string[];
  /** Facts about how the events were read (`source ip derived from Received`), for mail-test. */
  notes?: string[];
}

export interface MailHandler {
  /** Short name, shown by mail-test and `!status` (`arf`, `xarf`, `spamcop`, ...). */
  readonly name: string;
  /** Why this handler takes the mail (`Content-Type multipart/report; report-type=feedback-report`), or undefined. */
  match(mail: MailInput): string | undefined;
  read(mail: MailInput, ctx: HandlerContext): Promise<HandlerResult> | HandlerResult;
}

/** A mail in a handler's format that cannot be read: where and what. */
export class MailError extends Error {
  override name = "MailError";
  constructor(
    readonly where: string,
    readonly what: string,
  ) {
    super(`${where}: ${what}`);
  }
}

/** All addresses of an address header (to, cc, from ...), lower case. */
export function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const out: string[] = [];
  const walk = (list: AddressObject["value"]) => {
    for (const a of list) {
      if (a.address) out.push(a.address.toLowerCase());
      if (a.group) walk(a.group);
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

/** The attachments whose file name or content type matches. */
export function attachmentsWhere(mail: MailInput, test: (a: Attachment) => boolean): Attachment[] {
  return mail.parsed.attachments.filter(test);
}
