/**
 * SpamCop's mails to abuse desks (https://www.spamcop.net/fom-serve/cache/338.html): a report
 * comes from `<id>@reports.spamcop.net` with the subject `[SpamCop (<what>) id:<id>]<the
 * spam's subject>`, where `<what>` is the source address of a spam report or the URL of a
 * spamvertised-site report (older ones wrote `[SpamCop:<what>,id:<id>]`). Its body starts
 * `[ SpamCop V5.x ]`, then
 * - `Email from <ip> / <when the spam was received>` and the tracking link, or
 * - for each site: `Spamvertised web site: <url>`, the tracking link and
 *   `<host> is <ip>; <when SpamCop resolved it>`,
 * then `[ Offending message ]` and the spam. Newer reports wrap the same text in ARF
 * (multipart/report): the text part is read the same way. Summary reports are
 * spamcop-summary.ts. Only the lines before the offending message are read: the spam itself
 * names addresses too, of its own choosing.
 */
import { addrProblem, formatAddr, formatTime, parseAddr } from "../../../core/index.js";
import { parseRfc2822 } from "../../feed/time.js";
import {
  addressesOf,
  MailError,
  type HandlerResult,
  type MailHandler,
  type MailInput,
} from "../handler.js";
import { cleanUrl } from "../items.js";
import { isSummary, readSummary } from "./spamcop-summary.js";

export type Fields = Record<string, string[]>;

const SUBJECT = /^\s*\[SpamCop(?: \((?<what>.*?)\) |:\(?(?<old>.*?)\)?,)id:(?<id>\d+)\]/i;
const BANNER = /^\[ SpamCop V[\d.]+ \]/m;
const OFFENDING = /^\[ Offending message \]/m;
const EMAIL_FROM = /^Email from (\S+) \/ *(.*)$/;
const SPAMVERTISED = /^Spamvertised web site: *(.*)$/;
const RESOLVED = /^(\S+) is (\S+?); *(.*)$/;
const TRACKING = /^https?:\/\/(?:www\.)?spamcop\.net\/\S+$/;

export const spamcopHandler: MailHandler = {
  name: "spamcop",
  match(mail) {
    if (isSummary(mail)) return "Subject [SpamCop] summary report, or its table from spamcop.net";
    if (SUBJECT.test(mail.parsed.subject ?? "")) return "Subject [SpamCop (...) id:<number>]";
    const from = addressesOf(mail.parsed.from)[0] ?? "";
    if (from.endsWith("@reports.spamcop.net") && BANNER.test(mail.parsed.text ?? "")) {
      return "From <id>@reports.spamcop.net with a [ SpamCop V... ] report";
    }
    return undefined;
  },
  read(mail) {
    return isSummary(mail) ? readSummary(mail) : readReport(mail);
  },
};

/** The base keys of every SpamCop event. */
export function spamcopEvent(reportType: string, type: string): Fields {
  return {
    "report format": ["spamcop"],
    "report type": [reportType],
    feeder: ["spamcop"],
    category: ["abuse"],
    type: [type],
  };
}

/** A SpamCop date (`Mon, 09 Dec 2024 14:10:02 +0000`, sometimes cut: `-0400 (ES`). */
export function spamcopTime(text: string): string | undefined {
  return parseRfc2822(text.replace(/\s*\([^)]*\)?\s*$/, "").trim());
}

function readReport(mail: MailInput): HandlerResult {
  const subject = SUBJECT.exec(mail.parsed.subject ?? "")?.groups;
  const id = subject?.["id"];
  const all = mail.parsed.text ?? "";
  const cut = OFFENDING.exec(all);
  const lines = (cut ? all.slice(0, cut.index) : all).split(/\r?\n/);
  const events: Fields[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  const at = (i: number) => `${mail.where}, body line ${i + 1}`;
  // The tracking link and the resolution follow their line until a blank one.
  const block = (i: number) => {
    const out: string[] = [];
    for (let j = i + 1; j < lines.length && (lines[j] ?? "").trim() !== ""; j++) {
      out.push((lines[j] ?? "").trim());
    }
    return out;
  };
  const tracking = (event: Fields, rest: string[]) => {
    const link = rest.find((l) => TRACKING.test(l));
    if (link) event["report url"] = [link];
    const own = /[?&](?:i|id)=z(\d+)z/.exec(link ?? "")?.[1];
    const reportId = own ?? id;
    if (reportId) event["report id"] = [reportId];
  };

  lines.forEach((raw, i) => {
    const line = raw.trim();
    const email = EMAIL_FROM.exec(line);
    if (email) {
      const [, named = "", when = ""] = email;
      const addr = parseAddr(named);
      if (!addr)
        throw new MailError(at(i), `"Email from" names "${named}", which is ${addrProblem(named)}`);
      const event: Fields = { ...spamcopEvent("spam report", "spam"), ip: [formatAddr(addr)] };
      tracking(event, block(i));
      setTime(event, when, mail, at(i), problems);
      crossCheck(mail, subject, event["ip"]?.[0] ?? "", problems);
      events.push(event);
      return;
    }
    const site = SPAMVERTISED.exec(line);
    if (!site) return;
    const url = cleanUrl(site[1] ?? "");
    if (!url) {
      problems.push(`${at(i)}: "Spamvertised web site: ${site[1] ?? ""}" names no URL; skipped`);
      return;
    }
    const event: Fields = { ...spamcopEvent("spamvertised web site", "spamvertised"), url: [url] };
    const rest = block(i);
    tracking(event, rest);
    const host = /^[a-z]+:\/\/(?:[^@/]*@)?([^/:?#]+)/i.exec(url)?.[1] ?? "";
    if (!parseAddr(host)) event["domain name"] = [host];
    const resolved = rest.map((l) => RESOLVED.exec(l)).find((m) => m !== null);
    if (resolved) {
      const [, , ip = "", when = ""] = resolved;
      const addr = parseAddr(ip);
      if (addr) event["ip"] = [formatAddr(addr)];
      else problems.push(`${at(i)}: the site resolves to "${ip}", which is ${addrProblem(ip)}`);
      setTime(event, when, mail, at(i), problems);
    } else notes.push(`${at(i)}: no "<host> is <ip>; <time>" line for ${url}`);
    events.push(event);
  });

  if (events.length === 0) {
    const why =
      problems[0] ?? `no "Email from <ip> / <date>" or "Spamvertised web site: <url>" line`;
    throw new MailError(mail.where, `SpamCop report without a usable report line: ${why}`);
  }
  return { events, problems, notes };
}

/** The report's own time, else the mail's Date (said in `derived`), else none. */
function setTime(
  event: Fields,
  when: string,
  mail: MailInput,
  at: string,
  problems: string[],
): void {
  const time = spamcopTime(when);
  if (time) {
    event["source time"] = [time];
    return;
  }
  problems.push(`${at}: "${when}" is not a date; the mail's Date is used`);
  const date = mail.parsed.date;
  if (date && !Number.isNaN(date.getTime())) {
    event["source time"] = [formatTime(date)];
    event["derived"] = ["source time: mail date"];
  }
}

/** The subject and X-SpamCop-sourceip name the source too: a difference is worth a look. */
function crossCheck(
  mail: MailInput,
  subject: Record<string, string | undefined> | undefined,
  ip: string,
  problems: string[],
): void {
  const named = subject?.["what"] ?? subject?.["old"];
  const header = mail.headers.get("x-spamcop-sourceip")?.[0];
  for (const [where, value] of [
    ["Subject", named],
    ["X-SpamCop-sourceip", header],
  ] as const) {
    const addr = value ? parseAddr(value.trim()) : null;
    if (addr && formatAddr(addr) !== ip) {
      problems.push(
        `${mail.where}, ${where}: names ${formatAddr(addr)}, the report ${ip}; the report's is kept`,
      );
    }
  }
}
