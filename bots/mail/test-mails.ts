// Mails composed for tests (documentation addresses only), and a tiny handler that reads
// them: one event per `IP: <address>` line of the body.
import { MailError, type MailHandler } from "./handler.js";

export interface TestMail {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string;
  date?: string;
  /** Extra header lines, written as given. */
  headers?: string[];
  body?: string;
}

/** A plain-text mail with CRLF line ends, as IMAP serves it. */
export function composeMail(m: TestMail = {}): Buffer {
  const lines = [
    ...(m.headers ?? []),
    `From: ${m.from ?? "Abuse Desk <abuse@reports.example.com>"}`,
    `To: ${m.to ?? "abuse@example.net"}`,
    `Subject: ${m.subject ?? "Abuse report"}`,
    `Message-ID: <${m.messageId ?? "report-1@reports.example.com"}>`,
    `Date: ${m.date ?? "Tue, 14 May 2024 10:09:07 +0000"}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    ...(m.body ?? "IP: 192.0.2.1\n").split("\n"),
  ];
  return Buffer.from(lines.join("\r\n"));
}

/**
 * Reads mails whose subject starts with "Abuse report": one event per `IP:` line, type
 * scanner. A line `IP: broken` makes it throw a MailError.
 */
export const ipLinesHandler: MailHandler = {
  name: "ip-lines",
  match: (mail) =>
    mail.parsed.subject?.startsWith("Abuse report") ? 'Subject "Abuse report"' : undefined,
  read(mail) {
    const ips = [...(mail.parsed.text ?? "").matchAll(/^IP: (\S+)\s*$/gm)].map((m) => m[1] ?? "");
    if (ips.includes("broken")) throw new MailError(mail.where, 'line "IP: broken" has no address');
    return { events: ips.map((ip) => ({ ip, type: "scanner" })) };
  },
};
