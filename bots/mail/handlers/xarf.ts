/**
 * X-ARF: version 0.2 (x-arf.org: mail header `X-ARF: yes`, or `X-XARF: PLAIN` as older senders
 * and fail2ban write it; a human part, a YAML `report.txt` part, an optional evidence part)
 * and version 4 (xarf.org: one JSON object with `xarf_version: 4.x.x`, as an attachment, the
 * body, or the third part of an ARF mail with `Feedback-Type: xarf`), validated against the
 * published v4 schemas. One event per report.
 */
import { parseDocument } from "yaml";
import { addrProblem, formatAddr, formatTime, parseAddr } from "../../../core/index.js";
import { MailError, type MailHandler, type MailInput } from "../handler.js";
import { fileNameOf, mimeParts, readDate, textOf, type MimePart } from "./arf-mime.js";
import { readJson } from "./xarf-v4.js";

export type Fields = Record<string, string[]>;

/** Longest description kept from evidence or log lines: enough to act on, bounded per event. */
export const DESCRIPTION_MAX = 2000;

/**
 * X-ARF 0.2 Report-Type → the mesh's type. The category is the report's own (abuse, fraud,
 * info, malware: X-ARF 0.2's four); the ARF and v4 readers map into the same four.
 */
const TYPES_02: Record<string, string> = {
  "login-attack": "login attack",
  portscan: "scanner",
  "port-scan": "scanner",
  phishing: "phishing",
  malware: "malware",
  spam: "spam",
  ddos: "ddos",
  fraud: "fraud",
};

export const xarfHandler: MailHandler = {
  name: "xarf",
  match(mail) {
    const header = version02Header(mail);
    if (header) return header;
    const json = jsonPart(mimeParts(mail.raw));
    return json ? `${json.where} is an X-ARF JSON report` : undefined;
  },
  read(mail) {
    const parts = mimeParts(mail.raw);
    const json = jsonPart(parts);
    if (version02Header(mail) && (yamlPart(parts) || !json)) return readXarf02(mail);
    if (!json)
      throw new MailError(
        mail.where,
        "no X-ARF report: no report.txt part and no JSON part with xarf_version",
      );
    return readJson(mail, json);
  },
};

function version02Header(mail: MailInput): string | undefined {
  if (mail.headers.get("x-arf")?.some((v) => v.toLowerCase() === "yes")) return "header X-ARF: yes";
  if (mail.headers.get("x-xarf")?.some((v) => v.toLowerCase() === "plain"))
    return "header X-XARF: PLAIN";
  return undefined;
}

/** The JSON report: a part that is JSON by type, name or first character and names a version. */
function jsonPart(parts: readonly MimePart[]): MimePart | undefined {
  return parts.find((p) => {
    const json = p.type === "application/json" || fileNameOf(p)?.toLowerCase().endsWith(".json");
    if (
      !json &&
      !(p.type === "text/plain" && /^\s*\{/.test(p.body.subarray(0, 64).toString("latin1")))
    ) {
      return false;
    }
    // v4 names its version xarf_version; the legacy JSON (refused with a reason) has ReporterInfo.
    const text = p.body.toString("latin1");
    return /"xarf_version"\s*:/.test(text) || /"ReporterInfo"\s*:/.test(text);
  });
}

/** report.txt, or else the second text/plain part (the 0.2 layout). */
function yamlPart(parts: readonly MimePart[]): MimePart | undefined {
  return (
    parts.find((p) => fileNameOf(p)?.toLowerCase() === "report.txt") ??
    parts.filter((p) => p.type === "text/plain")[1]
  );
}

/** Text cut to `max` characters at a line end, and whether it was cut. */
export function bounded(text: string, max = DESCRIPTION_MAX): { text: string; cut: boolean } {
  const trimmed = text.replace(/\r\n?/g, "\n").trim();
  if (trimmed.length <= max) return { text: trimmed, cut: false };
  const end = trimmed.lastIndexOf("\n", max);
  return { text: trimmed.slice(0, end > max / 2 ? end : max).trimEnd(), cut: true };
}

/** An X-ARF 0.2 mail; exported for the fail2ban handler, whose X-ARF action writes 0.2. */
export function readXarf02(mail: MailInput): {
  events: Fields[];
  problems: string[];
  notes: string[];
} {
  const parts = mimeParts(mail.raw);
  const part = yamlPart(parts);
  if (!part)
    throw new MailError(
      mail.where,
      "an X-ARF 0.2 mail without a report.txt part (the second text/plain part)",
    );
  const at = `${mail.where}, ${part.where} (report.txt)`;
  const doc = parseDocument(textOf(part), { schema: "failsafe", uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line;
    throw new MailError(
      line ? `${at}, line ${line}` : at,
      `not YAML: ${(error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  const data: unknown = doc.toJS();
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new MailError(
      at,
      "not a YAML mapping of report fields (Reported-From, Category, Source, ...)",
    );
  }
  const problems: string[] = [];
  const notes: string[] = [];
  const field = new Map<string, string>();
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (typeof value === "string") field.set(key.toLowerCase(), value.trim());
    else problems.push(`${at}: ${key} is not a single value, skipped`);
  }
  const reportType = field.get("report-type")?.toLowerCase();
  if (!reportType) throw new MailError(at, "no Report-Type field");
  const source = field.get("source");
  if (!source) throw new MailError(at, "no Source field");
  const type = TYPES_02[reportType] ?? reportType.replace(/[-_]+/g, " ");
  const category =
    field.get("category")?.toLowerCase() ||
    (["phishing", "fraud"].includes(type) ? "fraud" : type === "malware" ? "malware" : "abuse");
  const event: Fields = {
    "report format": ["x-arf 0.2"],
    "report type": [reportType],
    category: [category],
    type: [type],
  };
  const version = field.get("version");
  if (version && version !== "0.2" && version !== "0.1")
    notes.push(`Version "${version}" read as 0.2`);
  Object.assign(event, sourceKeys(source, field.get("source-type"), at));
  const set = (key: string, value: string | undefined) => {
    if (value) event[key] = [value];
  };
  set("report id", field.get("report-id"));
  set("feeder", field.get("reported-from")?.toLowerCase());
  const service = field.get("service")?.toLowerCase();
  if (service && service !== "unspecified") set("service", service); // fail2ban's default
  const port = field.get("port");
  if (port && port !== "0") {
    // fail2ban writes Port: 0 when its jail names none: no port rather than a wrong one.
    if (/^\d{1,5}$/.test(port) && Number(port) <= 65535) set("port", String(Number(port)));
    else problems.push(`${at}: Port "${port}" is not a port number, skipped`);
  }
  const occurrences = field.get("occurrences") ?? field.get("occurances"); // fail2ban's spelling
  if (occurrences && /^\d+$/.test(occurrences)) set("occurrences", occurrences);
  const dateText = field.get("date");
  const date = dateText ? readDate(dateText) : undefined;
  if (dateText && !date) problems.push(`${at}: Date "${dateText}" is not a date, skipped`);
  if (date) set("source time", formatTime(date));
  const evidence = parts[parts.indexOf(part) + 1];
  if (evidence?.type === "text/plain") {
    const { text, cut } = bounded(textOf(evidence));
    set("description", text);
    if (cut) notes.push(`description: the first ${text.length} characters of ${evidence.where}`);
  }
  return { events: [event], problems, notes };
}

/** Source by Source-Type (0.2 schemas: ip-address, ipv4, ipv6, uri, domain). */
function sourceKeys(source: string, sourceType: string | undefined, at: string): Fields {
  const kind = sourceType?.toLowerCase() ?? (parseAddr(source) ? "ip-address" : "uri");
  if (["ip-address", "ipv4", "ipv6", "ip"].includes(kind)) {
    const addr = parseAddr(source);
    if (!addr) throw new MailError(at, `Source "${source}" is ${addrProblem(source)}`);
    return { ip: [formatAddr(addr)] };
  }
  if (["uri", "url"].includes(kind)) return { url: [source] };
  if (["domain", "fqdn", "hostname"].includes(kind))
    return { "domain name": [source.toLowerCase().replace(/\.$/, "")] };
  throw new MailError(
    at,
    `Source-Type "${sourceType ?? ""}" is not one this handler reads (ip-address, ipv4, ipv6, uri, domain)`,
  );
}
