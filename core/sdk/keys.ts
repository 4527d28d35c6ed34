/**
 * The harmonized event key vocabulary (AbuseHelper's names: lower case words separated by
 * spaces), each with a one-line meaning. Declared once here; bots use these names and keep a
 * feed's own name, in lower case, where nothing below fits.
 */
export const KEYS = {
  ip: "IPv4 or IPv6 address the event is about",
  asn: "autonomous system number announcing the address (digits only, no AS prefix)",
  "as name": "name of the autonomous system",
  "as allocated": "date the AS number was allocated (YYYY-MM-DD)",
  "bgp prefix": "routed prefix that covers the address, as a CIDR",
  "bgp prefix allocated": "date the prefix was allocated (YYYY-MM-DD)",
  cc: "ISO 3166-1 alpha-2 country code, upper case",
  city: "city name from a geolocation source",
  latitude: "decimal degrees north, from a geolocation source",
  longitude: "decimal degrees east, from a geolocation source",
  registry: "regional internet registry (arin, ripencc, apnic, lacnic, afrinic)",
  netblock: "network range (CIDR or first-last) the event is about",
  "domain name": "DNS name the event is about, lower case, no trailing dot",
  url: "full URL the event is about",
  port: "TCP or UDP port number",
  protocol: "transport or application protocol (tcp, udp, http, smtp, ...)",
  feed: "name of the feed the event came from",
  feeder: "organisation that publishes the feed",
  "feed url": "location the feed was fetched from",
  type: "kind of abuse (malware, botnet drone, c&c, scanner, spam, phishing, ...)",
  "malware family": "name of the malware family",
  "source time": "when the source says the activity happened (YYYY-MM-DD HH:MM:SSZ)",
  "observation time": "when the mesh saw the event (YYYY-MM-DD HH:MM:SSZ)",
  description: "free text from the source describing the event",
  reason: "why the source lists the address or name",
  "customer id": "identifier of the customer that owns the network",
  "customer name": "name of the customer that owns the network",
  "abuse email": "abuse contact address for the network",
  "augment sha-1": "event id of the original event an augment adds keys to",
  category:
    "broad class of the report (abuse, fraud, malware, info: X-ARF 0.2's set, onto which X-ARF 4 categories are mapped); type says more",
  "report format":
    "how the report was written: arf, x-arf 0.2, x-arf 4, spamcop, shadowserver, fail2ban, csv, template <name>",
  "report type":
    "the report's own name for its kind (ARF Feedback-Type, Shadowserver report type, X-ARF Type)",
  "report id": "the reporter's identifier of the report (X-ARF Report-ID, SpamCop report number)",
  "mail subject": "Subject of the mail the report came in",
  "mail from": "sender address (From) of the mail the report came in, lower case",
  "mail message id": "Message-ID of the mail the report came in, without angle brackets",
  "mail date": "Date of the mail the report came in (YYYY-MM-DD HH:MM:SSZ)",
  trusted:
    "yes when the mail proved who sent it (a DKIM or ARC signature, or the local MX), else no",
  "trust reason":
    "why the report is trusted or not (dkim=pass header.d=example.com, no signature, ...)",
  derived:
    "keys the mesh derived instead of the report stating them, as `key: how` (ip: received header)",
  service: "network service the report is about (ssh, smtp, http, ...)",
  id: "window bot state tag: `<hash>:open` or `<hash>:close`",
} as const satisfies Record<string, string>;

export type HarmonizedKey = keyof typeof KEYS;

/** Whether a key is in the harmonized vocabulary. */
export function isHarmonizedKey(key: string): key is HarmonizedKey {
  return Object.hasOwn(KEYS, key);
}

/** Format a date as the mesh's UTC time string `YYYY-MM-DD HH:MM:SSZ`. */
export function formatTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ") + "Z";
}
