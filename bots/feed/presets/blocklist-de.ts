/**
 * blocklist.de exports one list per attacked service, each an address per line (IPv4 and
 * IPv6) of hosts reported by fail2ban users in the last 48 hours. One preset per list,
 * registered as `blocklist-de-<service>`; the service says what the address did.
 */
import type { FeedSpec } from "../types.js";
import { listPreset } from "./common.js";

interface Service {
  type: string;
  description: string;
  protocol?: string;
}

// Descriptions after https://www.blocklist.de/en/export.html.
const SERVICES: Record<string, Service> = {
  all: { type: "attack", description: "attacked a service of a blocklist.de reporter" },
  ssh: { type: "brute-force", description: "attacked SSH", protocol: "ssh" },
  mail: { type: "attack", description: "attacked mail services (Postfix)", protocol: "smtp" },
  apache: {
    type: "attack",
    description: "attacked Apache (DDoS, RFI, bad requests)",
    protocol: "http",
  },
  imap: { type: "brute-force", description: "attacked IMAP, SASL or POP3", protocol: "imap" },
  ftp: { type: "brute-force", description: "attacked FTP", protocol: "ftp" },
  sip: {
    type: "brute-force",
    description: "tried to log in to a SIP, VoIP or Asterisk server",
    protocol: "sip",
  },
  bots: { type: "spam", description: "RFI attacks, registration bots, IRC bots or forum spam" },
  strongips: {
    type: "attack",
    description: "listed for over two months with more than 5000 attacks",
  },
  ircbot: { type: "botnet drone", description: "IRC bot", protocol: "irc" },
  bruteforcelogin: {
    type: "brute-force",
    description: "brute-forced web logins (Joomla, WordPress and others)",
    protocol: "http",
  },
};

function blocklistDe(service: string, s: Service): FeedSpec {
  return listPreset({
    name: `blocklist-de-${service}`,
    provider: "blocklist.de",
    url: `https://lists.blocklist.de/lists/${service}.txt`,
    licence: "free to use (blocklist.de)",
    description: `Addresses that ${s.description} in the last 48 hours`,
    type: s.type,
    interval: "1h",
    extra: { description: s.description, ...(s.protocol ? { protocol: s.protocol } : {}) },
  });
}

/** Every blocklist.de preset, `blocklist-de-all` first. */
export const presets: readonly FeedSpec[] = Object.entries(SERVICES).map(([service, s]) =>
  blocklistDe(service, s),
);
