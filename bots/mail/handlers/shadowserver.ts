/**
 * Shadowserver report mails: CSV and zipped CSV attachments named
 * `2026-11-30-scan_http-example-asn.csv(.zip)`, and download links to dl.shadowserver.org
 * (fetched through ctx.download, where the intake allows it). The report type comes from the
 * file name; columns are mapped through the Shadowserver mapping (bots/mail/shadowserver),
 * one event per row.
 */
import type { Attachment } from "mailparser";
import {
  addressesOf,
  MailError,
  type HandlerContext,
  type HandlerResult,
  type MailHandler,
  type MailInput,
} from "../handler.js";
import { shippedMapping, typesOfFeed, type Mapping } from "../shadowserver/mapping.js";
import { readReport, typeFromName, type ReportFile } from "../shadowserver/report.js";

// IntelMQ's mail and RT collectors look for the same links (url_regex in its feeds.yaml).
const LINK = /https:\/\/dl\.shadowserver\.org\/[A-Za-z0-9?_=-]+/g;
const NEEDS_DOWNLOAD = "download links need the intake's download setting";

/** Report attachments: CSV or zip by name or content type. */
function reportAttachments(mail: MailInput): Attachment[] {
  return mail.parsed.attachments.filter(
    (a) =>
      /\.(csv|zip)$/i.test(a.filename ?? "") ||
      ["text/csv", "application/zip", "application/x-zip-compressed"].includes(a.contentType),
  );
}

function fromShadowserver(mail: MailInput): string | undefined {
  return addressesOf(mail.parsed.from).find((a) => a.endsWith("@shadowserver.org"));
}

/** A download link as messages show it: the token is what grants access, so most is cut. */
export function shortLink(url: string): string {
  return url.replace(/(\/[A-Za-z0-9_-]{4})[A-Za-z0-9?_=-]+$/, "$1…");
}

interface Link {
  url: string;
  /** The report's file name written beside the link, if any. */
  name?: string;
}

/** The links of the text, each with a file name on its line or the two lines before it. */
function downloadLinks(text: string): Link[] {
  const lines = text.split(/\r?\n/);
  const out: Link[] = [];
  lines.forEach((line, i) => {
    for (const url of line.match(LINK) ?? []) {
      if (out.some((l) => l.url === url)) continue;
      const near = [line, lines[i - 1] ?? "", lines[i - 2] ?? ""]
        .flatMap((l) => l.split(/[\s:<>"]+/))
        .find((word) => typeFromName(word));
      out.push(near === undefined ? { url } : { url, name: near });
    }
  });
  return out;
}

/** The report type a subject names by its feed (`... Accessible-HTTP Report: 2026-11-30`). */
function typeFromSubject(mapping: Mapping, subject: string): string | undefined {
  const feeds = Object.values(mapping.reports)
    .map((r) => r.feed)
    .filter((f) => subject.toLowerCase().includes(f.toLowerCase()))
    .sort((a, b) => b.length - a.length);
  return feeds[0] === undefined ? undefined : typesOfFeed(mapping, feeds[0])[0];
}

async function fetchLink(
  mail: MailInput,
  link: Link,
  mapping: Mapping,
  ctx: HandlerContext,
  download: NonNullable<HandlerContext["download"]>,
  single: boolean,
): Promise<ReportFile> {
  const where = `${mail.where}, download ${shortLink(link.url)}`;
  let data: Buffer;
  try {
    data = await download(link.url);
  } catch (err) {
    throw new MailError(where, `download failed: ${(err as Error).message}`);
  }
  const file: ReportFile = { name: link.name ?? shortLink(link.url), where, data };
  // Only a mail with one link can lend its subject to the link.
  const type =
    link.name || !single ? undefined : typeFromSubject(mapping, mail.parsed.subject ?? "");
  if (type !== undefined) file.type = type;
  if (data.length > ctx.limits.attachmentBytes) {
    throw new MailError(
      where,
      `${data.length} bytes is over the attachment-size limit of ${ctx.limits.attachmentBytes} bytes`,
    );
  }
  return file;
}

export function shadowserverHandlerWith(mapping: Mapping): MailHandler {
  return {
    name: "shadowserver",
    match(mail) {
      const attachments = reportAttachments(mail);
      const from = fromShadowserver(mail);
      for (const a of attachments) {
        const type = typeFromName(a.filename ?? "");
        if (type === undefined) continue;
        if (from || mapping.reports[type] || mapping.aliases?.[type]) {
          return `attachment ${a.filename ?? ""}: a Shadowserver report file name (report type ${type})`;
        }
      }
      if (from && attachments.length > 0) return `From ${from} with a CSV or zip attachment`;
      const links = downloadLinks(mail.parsed.text ?? "");
      if (links[0]) return `download link ${shortLink(links[0].url)} to dl.shadowserver.org`;
      return undefined;
    },
    async read(mail, ctx): Promise<HandlerResult> {
      const files: ReportFile[] = reportAttachments(mail).map((a, i) => {
        const name = a.filename ?? `attachment ${i + 1}`;
        return { name, where: `${mail.where}, attachment ${name}`, data: a.content };
      });
      // Shadowserver puts the download link in mails that have the report attached too:
      // fetch only links to reports that are not attached, or all when none is.
      const attached = new Set(files.map((f) => f.name.replace(/\.zip$/i, "")));
      const all = downloadLinks(mail.parsed.text ?? "");
      const links = all.filter(
        (l) =>
          files.length === 0 ||
          (l.name !== undefined && !attached.has(l.name.replace(/\.zip$/i, ""))),
      );
      const problems: string[] = [];
      const notes: string[] = [];
      const skipped = all.length - links.length;
      if (skipped > 0)
        notes.push(
          `${skipped} download ${skipped === 1 ? "link" : "links"} not fetched: the report is attached`,
        );
      if (links.length > 0 && !ctx.download) {
        const what = `${links.length} ${links.length === 1 ? "link" : "links"} not read: ${NEEDS_DOWNLOAD}`;
        // With nothing else to read, the mail is set aside rather than passed as read.
        if (files.length === 0) throw new MailError(mail.where, what);
        problems.push(`${mail.where}: ${what}`);
      }
      if (ctx.download) {
        const download = ctx.download.bind(ctx);
        for (const link of links) {
          files.push(await fetchLink(mail, link, mapping, ctx, download, all.length === 1));
        }
      }
      if (files.length === 0) {
        throw new MailError(
          mail.where,
          "no Shadowserver report: no CSV or zip attachment and no download link",
        );
      }
      const result = { events: [] as Record<string, string[]>[], problems, notes };
      for (const file of files) {
        const one = await readReport(file, mapping, ctx.limits);
        result.events.push(...one.events);
        result.problems.push(...one.problems);
        result.notes.push(...one.notes);
      }
      return result;
    },
  };
}

/** The handler with the shipped mapping (the intake passes an updated one to shadowserverHandlerWith). */
export const shadowserverHandler = shadowserverHandlerWith(shippedMapping());
