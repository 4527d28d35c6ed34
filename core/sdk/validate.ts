/**
 * Values of typed keys, checked where events are made (sources): an `ip` that is not an
 * address, an `asn` that is not a number... is named and counted instead of travelling on.
 */
import type { Event } from "./event.js";
import { parseAddr } from "./net/ip.js";

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/;
const DIGITS = /^\d{1,10}$/;

const CHECKS: Record<string, (value: string) => string | undefined> = {
  ip: (v) => (parseAddr(v) === null ? "not an IP address" : undefined),
  asn: (v) => (DIGITS.test(v) && Number(v) <= 0xffffffff ? undefined : "not an AS number"),
  port: (v) => (DIGITS.test(v) && Number(v) <= 65535 ? undefined : "not a port number"),
  cc: (v) => (/^[A-Za-z]{2}$/.test(v) ? undefined : "not a two-letter country code"),
  "source time": checkTime,
  "observation time": checkTime,
};

function checkTime(v: string): string | undefined {
  if (!TIME.test(v)) return "not a time like 2026-01-31 12:00:00Z";
  return Number.isNaN(Date.parse(v.replace(" ", "T"))) ? "not a valid time" : undefined;
}

export interface BadValue {
  key: string;
  value: string;
  why: string;
}

/** The typed keys' bad values of an event (empty when all are good). */
export function badValues(event: Event): BadValue[] {
  const out: BadValue[] = [];
  for (const key in CHECKS) {
    const values = event.valueSet(key);
    if (values === undefined) continue;
    const check = CHECKS[key] as (value: string) => string | undefined;
    for (const value of values) {
      const why = check(value);
      if (why !== undefined) out.push({ key, value, why });
    }
  }
  return out;
}

/** One line for a log or a dead letter: `ip "x": not an IP address; port "y": ...`. */
export function describeBad(bad: readonly BadValue[]): string {
  return bad.map((b) => `${b.key} ${JSON.stringify(b.value)}: ${b.why}`).join("; ");
}
