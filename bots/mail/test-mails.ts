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

/** An ARF feedback report (RFC 5965 appendix B.1, rewritten) about 192.0.2.(n % 250). */
export function arfMail(n: number, id = `fbl-${n}@fbl.example.com`): Buffer {
  return Buffer.from(
    [
      "From: Feedback Loop <fbl@fbl.example.com>",
      "To: abuse@example.test",
      `Subject: FW: complaint ${n}`,
      `Message-ID: <${id}>`,
      "Date: Tue, 14 May 2024 10:09:07 +0000",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain",
      "",
      `A complaint about mail from 192.0.2.${n % 250}.`,
      "--b1",
      "Content-Type: message/feedback-report",
      "",
      "Feedback-Type: abuse",
      "User-Agent: ExampleFBL/1.0",
      "Version: 1",
      `Source-IP: 192.0.2.${n % 250}`,
      "--b1",
      "Content-Type: message/rfc822",
      "",
      "From: <someone@example.net>",
      "Subject: Earn money",
      `Message-ID: <spam-${n}@example.net>`,
      "",
      "Spam Spam Spam",
      "--b1--",
      "",
    ].join("\r\n"),
  );
}

/** A mail no handler reads. */
export const helloMail = Buffer.from(
  "From: someone@example.org\r\nSubject: Hello there\r\nMessage-ID: <hello-1@example.org>\r\n\r\nJust saying hello.\r\n",
);
