// Raw mail → MailInput: mailparser's simpleParser (attachments kept), plus the raw header
// lines by lower-case name, in order. mailparser folds an inline message/rfc822 part and a
// text part with only a name (X-ARF 0.2's report.txt) into `text`: handlers that need those
// parts walk `raw` themselves (handlers/arf-mime.ts).
import { simpleParser } from "mailparser";
import type { MailInput } from "./handler.js";

/** Parse one mail; `where` says where it came from (for errors). */
export async function parseMail(raw: Buffer, where: string): Promise<MailInput> {
  const parsed = await simpleParser(raw, {
    skipHtmlToText: false,
    skipTextToHtml: true,
    skipImageLinks: true,
    keepCidLinks: true,
  });
  return { raw, parsed, headers: headerLines(raw), where };
}

/** The header block of a mail (or of a part): name (lower case) → unfolded values, in order. */
export function headerLines(raw: Buffer | string): Map<string, string[]> {
  const text = typeof raw === "string" ? raw : raw.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const block = end < 0 ? text : text.slice(0, end);
  const out = new Map<string, string[]>();
  let name: string | undefined;
  let value = "";
  const flush = () => {
    if (name === undefined) return;
    const list = out.get(name) ?? [];
    list.push(value.trim());
    out.set(name, list);
  };
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && name !== undefined) {
      value += " " + line.trim();
      continue;
    }
    flush();
    const colon = line.indexOf(":");
    if (colon <= 0) {
      name = undefined;
      continue;
    }
    name = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return out;
}
