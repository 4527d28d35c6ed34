/**
 * ARF: RFC 5965 feedback reports (`multipart/report; report-type=feedback-report`), the
 * RFC 6591 authentication failure reports among them, and the sparse feedback-loop mails that
 * leave out Source-IP (the source is then read from the reported message's Received fields).
 * One event per report.
 */
import { addrProblem, formatAddr, formatTime, isSpecial, parseAddr } from "../../../core/index.js";
import type { Addr, EventInit } from "../../../core/index.js";
import { MailError, type HandlerResult, type MailHandler, type MailInput } from "../handler.js";
import { headerLines } from "../parse.js";
import { contentType, fieldsOf, mimeParts, readDate, textOf, type Field } from "./arf-mime.js";

/**
 * Feedback-Type (RFC 5965 §7.3 registry, RFC 6591 §3) → category and type. The categories are
 * the four of X-ARF (abuse, fraud, malware, info) that the xarf handler also uses, so one
 * rule routes a spam complaint the same way whichever format it came in.
 */
const FEEDBACK: Record<string, { category: string; type: string }> = {
  abuse: { category: "abuse", type: "spam" }, // unsolicited mail or some other kind of abuse
  fraud: { category: "fraud", type: "fraud" }, // phishing or other fraud
  virus: { category: "malware", type: "malware" }, // a virus in the reported message
  "auth-failure": { category: "abuse", type: "auth failure" }, // RFC 6591: failed DKIM/SPF/DMARC
  other: { category: "abuse", type: "other" },
};

export const arfHandler: MailHandler = {
  name: "arf",
  match(mail) {
    const { type, params } = contentType(mail.headers.get("content-type")?.[0]);
    if (type !== "multipart/report" || params["report-type"]?.toLowerCase() !== "feedback-report") {
      return undefined;
    }
    // X-ARF rides on ARF with `Feedback-Type: xarf` and a JSON part: the xarf handler's.
    if (feedbackTypeOf(mail) === "xarf") return undefined;
    return "Content-Type multipart/report; report-type=feedback-report";
  },
  read: readArf,
};

function feedbackTypeOf(mail: MailInput): string | undefined {
  const part = mimeParts(mail.raw).find((p) => p.type === "message/feedback-report");
  if (!part) return undefined;
  return fieldsOf(textOf(part))
    .fields.find((f) => f.name === "feedback-type")
    ?.value.toLowerCase();
}

export function readArf(mail: MailInput): HandlerResult {
  const parts = mimeParts(mail.raw);
  const report = parts.find((p) => p.type === "message/feedback-report");
  if (!report) {
    throw new MailError(
      mail.where,
      "a feedback report without a message/feedback-report part (RFC 5965 §2)",
    );
  }
  const at = `${mail.where}, ${report.where} (message/feedback-report)`;
  const { fields, bad } = fieldsOf(textOf(report));
  const problems = bad.map((line) => `${at}, line ${line}: not a "Name: value" field, skipped`);
  const notes: string[] = [];
  const all = (name: string) => fields.filter((f) => f.name === name);
  const one = (name: string): Field | undefined => all(name)[0];

  const feedback = one("feedback-type");
  if (!feedback || !feedback.value)
    throw new MailError(at, "no Feedback-Type field (RFC 5965 §3.1)");
  const feedbackType = feedback.value.toLowerCase();
  if (feedbackType === "not-spam") {
    // RFC 5965 §7.3: the recipient says the message is wanted; no abuse to act on.
    return { events: [], notes: ["Feedback-Type not-spam: no abuse reported, no event"] };
  }
  const version = one("version");
  if (version && version.value !== "1") {
    problems.push(
      `${at}, line ${version.line}: Version "${version.value}" is not 1 (RFC 5965 §3.1); read as 1`,
    );
  }
  const kind = FEEDBACK[feedbackType] ?? { category: "abuse", type: "other" };
  const event: Record<string, string[]> = {
    "report format": ["arf"],
    "report type": [feedbackType],
    category: [kind.category],
    type: [kind.type],
  };
  const add = (key: string, ...values: string[]) => {
    for (const v of values) {
      if (!v) continue;
      const list = (event[key] ??= []);
      if (!list.includes(v)) list.push(v);
    }
  };
  const derived: string[] = [];

  const sourceIp = one("source-ip");
  if (sourceIp) {
    const text = sourceIp.value.replace(/^\[(.*)\]$/, "$1");
    const addr = parseAddr(text);
    if (!addr) {
      throw new MailError(
        `${at}, line ${sourceIp.line}`,
        `Source-IP "${sourceIp.value}" is ${addrProblem(text)}`,
      );
    }
    add("ip", formatAddr(addr));
  }

  const original = parts.find(
    (p) => p.type === "message/rfc822" || p.type === "text/rfc822-headers",
  );
  const received = original ? (headerLines(original.body).get("received") ?? []) : [];
  const hop = receivedSource(received);
  if (!sourceIp) {
    if (hop) {
      add("ip", formatAddr(hop.addr));
      derived.push("ip: received header");
      notes.push(
        `source ip ${formatAddr(hop.addr)} derived from the reported message's Received field ${hop.index + 1}`,
      );
    } else {
      problems.push(
        `${at}: no Source-IP, and ${original ? "no Received field of the reported message names a public address" : "no reported message"}`,
      );
    }
  }

  const arrival = one("arrival-date") ?? one("received-date"); // Received-Date: draft ARF's name
  const arrived = arrival ? readDate(arrival.value) : undefined;
  if (arrival && !arrived) {
    problems.push(
      `${at}, line ${arrival.line}: ${arrival.name === "arrival-date" ? "Arrival-Date" : "Received-Date"} "${arrival.value}" is not a date, skipped`,
    );
  }
  if (arrived) add("source time", formatTime(arrived));
  else if (hop?.date) {
    add("source time", formatTime(hop.date));
    derived.push("source time: received header");
  }

  for (const f of all("reported-uri")) add("url", f.value.replace(/^<(.*)>$/, "$1"));
  for (const f of all("reported-domain"))
    add("domain name", f.value.toLowerCase().replace(/\.$/, ""));
  const from = one("original-mail-from")
    ?.value.replace(/^<(.*)>$/, "$1")
    .toLowerCase();
  if (from) add("original mail from", from);
  const incidents = one("incidents")?.value;
  if (incidents && /^\d+$/.test(incidents)) add("incidents", incidents);
  // RFC 6591 §3.1, RFC 7489 §7.3: what failed, for whom, and what the receiver did.
  for (const f of all("auth-failure")) add("reason", `auth failure: ${f.value.toLowerCase()}`);
  add("delivery result", ...all("delivery-result").map((f) => f.value.toLowerCase()));
  add("dkim domain", ...all("dkim-domain").map((f) => f.value.toLowerCase()));
  add("dkim selector", ...all("dkim-selector").map((f) => f.value));
  if (derived.length) add("derived", ...derived);
  return { events: [event satisfies EventInit], problems, notes };
}

export interface ReceivedHop {
  addr: Addr;
  /** 0-based position from the top of the message. */
  index: number;
  date: Date | undefined;
}

/**
 * The address that handed the reported message to the reporter. Received fields are
 * prepended (RFC 5321 §4.4), so the topmost ones were written by the reporter's own MTAs and
 * are the only ones the reporter vouches for; everything below its MX was written by the
 * sender's side and may be forged. Internal hops (a filter on 127.0.0.1, a relay on 10/8, an
 * LMTP delivery with no from-clause) name no public address, so the first field from the top
 * whose from-clause names a public address is the reporter's MX recording the client that
 * connected to it: that client is the source, and no field below it is read. (A reporter
 * whose internal relays have public addresses makes this name its own relay; nothing in the
 * message can tell that apart.)
 */
export function receivedSource(received: readonly string[]): ReceivedHop | undefined {
  for (const [index, field] of received.entries()) {
    const addr = fromAddress(field);
    if (addr && !isSpecial(addr)) {
      const semicolon = field.lastIndexOf(";");
      const date = semicolon >= 0 ? readDate(field.slice(semicolon + 1)) : undefined;
      return { addr, index, date };
    }
  }
  return undefined;
}

/**
 * The connecting address in a Received from-clause. RFC 5321 §4.4: `from Extended-Domain`
 * where the TCP-info comment, `(rdns [192.0.2.1])`, is what the receiving MTA saw and the
 * name before it is the client's HELO, which the client chose. So addresses in comments come
 * first; a bare address literal (`from [192.0.2.1]`) only when no comment names one.
 */
function fromAddress(field: string): Addr | undefined {
  const text = field.replace(/\s+/g, " ").trim();
  if (!/^from /i.test(text)) return undefined;
  let depth = 0;
  let bare = "";
  let comment = "";
  const comments: string[] = [];
  for (let i = 5; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === "(") {
      if (depth++ > 0) comment += c;
      continue;
    }
    if (c === ")" && depth > 0) {
      if (--depth === 0) {
        comments.push(comment);
        comment = "";
      } else comment += c;
      continue;
    }
    if (depth > 0) comment += c;
    else if (c === ";" || /^ (?:by|with|id|for|via) /i.test(text.slice(i, i + 6))) break;
    else bare += c;
  }
  for (const source of [...comments, bare]) {
    for (const token of source.split(/[\s[\]()=,;"'<>]+/)) {
      const addr = parseAddr(token.replace(/^ipv6:/i, ""));
      if (addr) return addr;
    }
  }
  return undefined;
}
