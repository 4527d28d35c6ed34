/**
 * SpamCop summary reports (`[SpamCop] summary report`): a table of the network's addresses
 * reported in the past week, one row per address and its reverse name below it:
 *
 *    IP_Address    Start/Length  Trap  User  Mole  Simp  Comments
 *                   RDNS
 *    192.0.2.44    Dec 30 18h/2    51     0     0     0  blocklisted
 *                   host44.example.net.
 *
 * Start is the first report's month, day and hour, Length the days the incident lasted, then
 * the reports by kind (spam traps, registered users, anonymous "mole" users, unregistered
 * "simple" reports) and SpamCop's notes (blocklist and resolved status). The start has no
 * year and no zone: the year is the mail's (the one before when that would be in the future:
 * a summary sent on 2 January covers December), the hour is taken as UTC, and `derived` says so.
 */
import { addrProblem, formatAddr, parseAddr } from "../../../core/index.js";
import { addressesOf, MailError, type HandlerResult, type MailInput } from "../handler.js";
import { spamcopEvent, type Fields } from "./spamcop.js";

const SUBJECT = /^\s*\[SpamCop\] summary report/i;
const HEADER = /^\s*IP_Address\s+Start\/Length\s+Trap\s+User\s+Mole\s+Simp/im;
const KEY = /^\s*-+ Key to Columns -+/;
const ROW =
  /^\s*(\S+)\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2})h\/(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)(?:\s+(\S.*?))?\s*$/;
const RDNS = /^\s+(\S+?)\.?\s*$/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const COUNTS = ["trap reports", "user reports", "mole reports", "simple reports"];

export function isSummary(mail: MailInput): boolean {
  if (SUBJECT.test(mail.parsed.subject ?? "")) return true;
  const from = addressesOf(mail.parsed.from)[0] ?? "";
  return /[@.]spamcop\.net$/.test(from) && HEADER.test(mail.parsed.text ?? "");
}

export function readSummary(mail: MailInput): HandlerResult {
  const text = mail.parsed.text ?? "";
  const header = HEADER.exec(text);
  if (!header) {
    throw new MailError(
      mail.where,
      'SpamCop summary without its "IP_Address Start/Length Trap User Mole Simp" table',
    );
  }
  const first = text.slice(0, header.index).split(/\r?\n/).length; // the header's line number
  const lines = text.slice(header.index).split(/\r?\n/).slice(1);
  const date =
    mail.parsed.date && !Number.isNaN(mail.parsed.date.getTime()) ? mail.parsed.date : undefined;
  const events: Fields[] = [];
  const problems: string[] = [];
  let last: Fields | undefined; // the row a reverse name belongs to
  for (const [i, line] of lines.entries()) {
    const at = `${mail.where}, body line ${first + i + 1}`;
    if (KEY.test(line)) break;
    if (line.trim() === "" || /^\s*(?:RDNS|\(no rdns\))\s*$/i.test(line)) continue;
    const row = ROW.exec(line);
    if (!row) {
      const name = RDNS.exec(line)?.[1];
      if (last && name && !name.startsWith("(")) last["reverse dns"] = [name.toLowerCase()];
      else if (!name)
        problems.push(`${at}: not a summary row: ${JSON.stringify(line.trim().slice(0, 80))}`);
      last = undefined;
      continue;
    }
    last = undefined;
    const [, ip = "", month = "", day = "", hour = "", days = "", ...rest] = row;
    const addr = parseAddr(ip);
    if (!addr) {
      problems.push(`${at}: "${ip}" is ${addrProblem(ip)}; row skipped`);
      continue;
    }
    const event: Fields = { ...spamcopEvent("summary report", "spam"), ip: [formatAddr(addr)] };
    const start = startTime(month, Number(day), Number(hour), date);
    if (typeof start === "string") {
      problems.push(
        `${at}: start "${month} ${day} ${hour}h" ${start}; row kept without a source time`,
      );
    } else {
      event["source time"] = [start.time];
      event["derived"] = ["source time: year from the mail date, hour taken as UTC"];
    }
    event["duration days"] = [days];
    COUNTS.forEach((key, k) => (event[key] = [rest[k] ?? "0"]));
    const comments = rest[4];
    if (comments) event["description"] = [comments];
    events.push(event);
    last = event;
  }
  if (events.length === 0) {
    throw new MailError(
      mail.where,
      `SpamCop summary without a usable row${problems[0] ? `: ${problems[0]}` : ""}`,
    );
  }
  return { events, problems };
}

/** The row's start as a time, or what is wrong with it. */
function startTime(
  month: string,
  day: number,
  hour: number,
  date: Date | undefined,
): { time: string } | string {
  const mo = MONTHS.indexOf(month.toLowerCase());
  if (mo < 0) return "has no month name";
  if (hour > 23) return "has an hour past 23";
  if (!date) return "has no year and the mail has no Date";
  let year = date.getUTCFullYear();
  // A start after the mail was sent is last year's (the past week across New Year).
  if (Date.UTC(year, mo, day, hour) > date.getTime() + 86_400_000) year -= 1;
  const t = new Date(Date.UTC(year, mo, day, hour));
  if (t.getUTCDate() !== day) return "is not a date";
  return { time: t.toISOString().slice(0, 19).replace("T", " ") + "Z" };
}
