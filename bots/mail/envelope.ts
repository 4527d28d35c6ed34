/**
 * The keys every event from a mail carries, whatever handler read it: where the report came
 * from (subject, sender, Message-ID, date), when the mesh saw it, and whether the sender was
 * proved (core/sdk/keys.ts has their meanings).
 */
import { Event, formatTime, type EventInit } from "../../core/index.js";
import { addressesOf, type MailInput } from "./handler.js";
import type { Trust } from "./trust.js";

/** Longest subject kept in an event: a subject is a label, not a report. */
const SUBJECT_MAX = 500;

/** The From address, lower case. */
export function senderOf(mail: MailInput): string | undefined {
  return addressesOf(mail.parsed.from)[0];
}

/** Message-ID without angle brackets (or whitespace). */
export function messageIdOf(value: string | undefined): string | undefined {
  const id = value?.trim().replace(/^<|>$/g, "").trim();
  return id ? id : undefined;
}

export interface Envelope {
  /** `observation time` of the read (YYYY-MM-DD HH:MM:SSZ). */
  observed: string;
  trust: Trust;
}

/** The envelope keys of `mail`: only those it has a value for. */
export function mailKeys(mail: MailInput, env: Envelope): Record<string, string> {
  const keys: Record<string, string> = {};
  const subject = mail.parsed.subject?.replace(/\s+/g, " ").trim();
  if (subject) keys["mail subject"] = subject.slice(0, SUBJECT_MAX);
  const from = senderOf(mail);
  if (from) keys["mail from"] = from;
  const id = messageIdOf(mail.parsed.messageId ?? mail.headers.get("message-id")?.[0]);
  if (id) keys["mail message id"] = id;
  const date = mail.parsed.date;
  if (date !== undefined && !Number.isNaN(date.getTime())) keys["mail date"] = formatTime(date);
  keys["observation time"] = env.observed;
  keys.trusted = env.trust.trusted ? "yes" : "no";
  keys["trust reason"] = env.trust.reason;
  return keys;
}

/**
 * The handler's events with the envelope keys set (they replace any the handler set: the
 * mail is the authority on them) and `report format` defaulting to the handler's name.
 */
export function withEnvelope(
  events: readonly EventInit[],
  keys: Record<string, string>,
  format: string,
): Event[] {
  return events.map((init) => {
    const event = new Event(init);
    for (const [key, value] of Object.entries(keys)) {
      event.clear(key);
      event.add(key, value);
    }
    if (!event.contains("report format")) event.add("report format", format);
    return event;
  });
}
