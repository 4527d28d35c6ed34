/**
 * X-ARF v4 JSON reports (xarf.org, `xarf_version: 4.x.x`): checked against the published
 * schemas, then one event in the mesh's keys. The reports' categories (messaging, connection,
 * content, ...) map to the four the ARF and X-ARF 0.2 readers use (abuse, fraud, malware,
 * info), so one rule routes a report the same way whichever format it came in.
 */
import { formatAddr, formatTime, parseAddr } from "../../../core/index.js";
import { MailError, type HandlerResult, type MailInput } from "../handler.js";
import { readDate, textOf, type MimePart } from "./arf-mime.js";
import { v4Problems } from "./xarf-schema.js";

type Fields = Record<string, string[]>;

/** X-ARF v4 type → [its v4 category, category, type] (v4 types are unique across categories). */
const TYPES_4: Record<string, [string, string, string]> = {
  spam: ["messaging", "abuse", "spam"],
  bulk_messaging: ["messaging", "abuse", "bulk messaging"],
  login_attack: ["connection", "abuse", "login attack"],
  port_scan: ["connection", "abuse", "scanner"],
  ddos: ["connection", "abuse", "ddos"],
  infected_host: ["connection", "malware", "infected host"],
  reconnaissance: ["connection", "abuse", "scanner"],
  scraping: ["connection", "abuse", "scraping"],
  sql_injection: ["connection", "abuse", "exploit"],
  vulnerability_scan: ["connection", "abuse", "scanner"],
  cve: ["vulnerability", "info", "vulnerable service"],
  open_service: ["vulnerability", "info", "open service"],
  misconfiguration: ["vulnerability", "info", "misconfiguration"],
  blocklist: ["reputation", "info", "blocklisted"],
  threat_intelligence: ["reputation", "info", "threat intelligence"],
  botnet: ["infrastructure", "malware", "c&c"],
  compromised_server: ["infrastructure", "malware", "compromised server"],
  phishing: ["content", "fraud", "phishing"],
  malware: ["content", "malware", "malware"],
  csam: ["content", "abuse", "csam"],
  csem: ["content", "abuse", "csem"],
  exposed_data: ["content", "info", "exposed data"],
  brand_infringement: ["content", "fraud", "brand infringement"],
  fraud: ["content", "fraud", "fraud"],
  remote_compromise: ["content", "malware", "compromised website"],
  suspicious_registration: ["content", "fraud", "suspicious registration"],
  copyright: ["copyright", "abuse", "copyright"],
  p2p: ["copyright", "abuse", "copyright"],
  cyberlocker: ["copyright", "abuse", "copyright"],
  ugc_platform: ["copyright", "abuse", "copyright"],
  link_site: ["copyright", "abuse", "copyright"],
  usenet: ["copyright", "abuse", "copyright"],
};

/** The JSON report in `part`: a v4 report, or a MailError saying why not. */
export function readJson(mail: MailInput, part: MimePart): HandlerResult {
  const at = `${mail.where}, ${part.where} (${part.type})`;
  let report: unknown;
  try {
    report = JSON.parse(textOf(part));
  } catch (err) {
    throw new MailError(at, `not JSON: ${(err as Error).message}`);
  }
  if (typeof report !== "object" || report === null || Array.isArray(report)) {
    throw new MailError(at, "X-ARF JSON report: not a JSON object");
  }
  const r = report as Record<string, unknown>;
  if (!("xarf_version" in r) && "Version" in r) {
    // The Abusix JSON format (Version 1-3, github.com/abusix/xarf, archived): not read yet.
    throw new MailError(
      at,
      `X-ARF JSON with Version "${String(r["Version"])}" (the legacy format); only X-ARF 4 (xarf_version 4.x.x) is read`,
    );
  }
  const known = typeof r["type"] === "string" ? TYPES_4[r["type"]] : undefined;
  const problems =
    known && r["category"] !== known[0]
      ? [
          `/type: "${String(r["type"])}" is a type of category "${known[0]}", not "${String(r["category"])}"`,
        ]
      : v4Problems(report);
  if (problems.length) throw new MailError(at, `X-ARF v4 report: ${problems.join("; ")}`);
  // Valid against the schema from here on: the required fields are there and typed.
  const str = (key: string) => (typeof r[key] === "string" ? r[key] : undefined);
  const type = str("type") ?? "";
  const [, category, meshType] = TYPES_4[type] ?? ["", "abuse", type.replace(/_/g, " ")];
  const event: Fields = {
    "report format": ["x-arf 4"],
    "report type": [type],
    category: [category],
    type: [meshType],
  };
  const set = (key: string, value: string | undefined) => {
    if (value) event[key] = [value];
  };
  set("report id", str("report_id"));
  const source = str("source_identifier") ?? "";
  const addr = parseAddr(source);
  if (addr) set("ip", formatAddr(addr));
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) set("url", source);
  else if (/^[a-z0-9-]+(\.[a-z0-9-]+)+\.?$/i.test(source))
    set("domain name", source.toLowerCase().replace(/\.$/, ""));
  else
    throw new MailError(
      at,
      `X-ARF v4 report: /source_identifier: "${source}" is neither an IP address, a URL nor a domain name`,
    );
  const timestamp = readDate(str("timestamp") ?? "");
  if (timestamp) set("source time", formatTime(timestamp));
  const reporter = (r["reporter"] ?? {}) as Record<string, unknown>;
  set("feeder", typeof reporter["org"] === "string" ? reporter["org"] : undefined);
  if (typeof r["source_port"] === "number") set("port", String(r["source_port"]));
  set("protocol", str("protocol")?.toLowerCase());
  set("service", str("service")?.toLowerCase());
  const url = str("url"); // content types: the page, when the source is its host
  if (url && url !== source) (event["url"] ??= []).push(url);
  set("description", str("description"));
  const destination = parseAddr(str("destination_ip") ?? "");
  if (destination) set("destination ip", formatAddr(destination));
  if (typeof r["destination_port"] === "number")
    set("destination port", String(r["destination_port"]));
  set("malware family", str("malware_family"));
  const evidence = Array.isArray(r["evidence"]) ? r["evidence"].length : 0;
  return {
    events: [event],
    notes: evidence ? [`${evidence} evidence item(s) not copied into the event`] : [],
  };
}
