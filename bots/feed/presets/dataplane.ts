/**
 * DataPlane.org reports: `ASN  |  ASname  |  ipaddr  |  lastseen  |  category` with `#`
 * comments; fields are separated by a pipe with at least two spaces on either side, so an
 * AS name holding ` | ` stays whole. ASN is "NA" when no route covers the address. One
 * preset per report, registered as `dataplane-<report>`.
 */
import type { FeedSpec } from "../types.js";
import { constants } from "./common.js";

interface Report {
  type: string;
  protocol: string;
  description: string;
}

// Descriptions after the reports' own headers (https://dataplane.org/).
const REPORTS: Record<string, Report> = {
  dnsrd: { type: "scanner", protocol: "dns", description: "sent recursive DNS queries" },
  dnsrdany: { type: "scanner", protocol: "dns", description: "sent recursive DNS ANY queries" },
  dnsversion: { type: "scanner", protocol: "dns", description: "sent DNS CHAOS version queries" },
  sipinvitation: { type: "scanner", protocol: "sip", description: "sent SIP INVITE requests" },
  sipquery: { type: "scanner", protocol: "sip", description: "sent SIP OPTIONS queries" },
  sipregistration: { type: "scanner", protocol: "sip", description: "sent SIP REGISTER requests" },
  smtpdata: { type: "spam", protocol: "smtp", description: "sent SMTP DATA (mail) to a sensor" },
  smtpgreet: { type: "scanner", protocol: "smtp", description: "connected to SMTP for a greeting" },
  sshclient: { type: "scanner", protocol: "ssh", description: "initiated SSH connections" },
  sshpwauth: { type: "brute-force", protocol: "ssh", description: "tried SSH password logins" },
  telnetlogin: { type: "brute-force", protocol: "telnet", description: "tried telnet logins" },
  vncrfb: { type: "scanner", protocol: "vnc", description: "initiated VNC RFB sessions" },
};

function dataplane(report: string, r: Report): FeedSpec {
  const name = `dataplane-${report}`;
  return {
    name,
    provider: "DataPlane.org",
    url: `https://dataplane.org/${report}.txt`,
    licence: "free for non-commercial use only; no redistribution without permission",
    description: `Addresses that ${r.description} to DataPlane sensors in the last 7 days`,
    format: {
      type: "csv",
      delimiter: "  |  ",
      comment: "#",
      trim: true,
      relaxQuotes: true,
      columns: ["asn", "asname", "ipaddr", "lastseen", "category"],
    },
    map: {
      fields: {
        asn: { key: "asn", match: "^\\d+$" },
        asname: { key: "as name", match: "^(?!NA$)" },
        ipaddr: "ip",
        lastseen: { key: "source time", time: "YYYY-MM-DD HH:mm:ss" },
      },
      constants: constants(name, "DataPlane.org", r.type, {
        protocol: r.protocol,
        description: r.description,
      }),
    },
    // The reports are rebuilt hourly.
    interval: "1h",
    type: r.type,
  };
}

export const presets: readonly FeedSpec[] = Object.entries(REPORTS).map(([report, r]) =>
  dataplane(report, r),
);
