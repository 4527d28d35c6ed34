/**
 * Plain lists: one entry per line (address, CIDR, range, domain or URL), as published by
 * Spamhaus DROP, blocklist.de, abuse.ch and most "one IP per line" lists.
 */
import type { FormatSpec } from "../types.js";
import type { BadRecord, FeedRecord } from "../record.js";
import type { LineBatch } from "../text.js";
import { parseEntry } from "./entry.js";

export type ListFormat = Extract<FormatSpec, { type: "list" }>;

export interface ListLineParser {
  /** A record for the line, null for a blank or comment line, a string saying what is wrong. */
  (text: string, line: number): FeedRecord | null | string;
}

/** Build the per-line parser once: comment and separator handling depend only on the spec. */
export function listLineParser(spec: ListFormat): ListLineParser {
  const rest = spec.rest;
  const comments = (spec.comment ?? ["#", ";"]).filter((c) => c !== "" && c !== rest);
  const kind = spec.kind ?? "auto";
  return (raw, line) => {
    const text = raw.trim();
    if (text === "" || comments.some((c) => text.startsWith(c))) return null;
    let entry: string;
    let description = "";
    const cut = rest === undefined ? text.search(/\s/) : text.indexOf(rest);
    if (cut < 0) entry = text;
    else {
      entry = text.slice(0, cut).trim();
      description = text.slice(cut + (rest === undefined ? 1 : rest.length));
    }
    // A trailing comment needs whitespace before it, so `http://x/#frag` stays whole.
    description = stripComment(description, comments).trim();
    if (rest !== undefined) entry = stripComment(entry, comments).trim();
    const found = parseEntry(entry, kind);
    if (found === undefined) {
      const want = kind === "auto" ? "an address, CIDR, range, domain or URL" : `a ${kind}`;
      return `${JSON.stringify(entry.slice(0, 80))} is not ${want}`;
    }
    const fields: FeedRecord["fields"] = { entry: found.value };
    if (description !== "") fields["description"] = description;
    return { line, fields, kind: found.kind };
  };
}

function stripComment(text: string, comments: string[]): string {
  let end = text.length;
  for (const c of comments) {
    if (text.startsWith(c)) return "";
    for (let at = text.indexOf(c); at > 0; at = text.indexOf(c, at + 1)) {
      if (/\s/.test(text[at - 1] ?? "")) {
        end = Math.min(end, at);
        break;
      }
    }
  }
  return text.slice(0, end);
}

/** Records of a list, a batch per chunk; a line that is no entry goes to `bad`. */
export async function* listRecords(
  spec: ListFormat,
  lines: AsyncIterable<LineBatch>,
  bad: BadRecord,
): AsyncIterable<FeedRecord[]> {
  const parse = listLineParser(spec);
  for await (const batch of lines) {
    const out: FeedRecord[] = [];
    for (let i = 0; i < batch.lines.length; i++) {
      const line = batch.first + i;
      const result = parse(batch.lines[i] as string, line);
      if (typeof result === "string") bad(line, result, batch.lines[i]);
      else if (result !== null) out.push(result);
    }
    if (out.length > 0) yield out;
  }
}
