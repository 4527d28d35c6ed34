/**
 * CSV attachments by config: reports some senders mail as a table (a CERT's daily list, a
 * partner's export) are read with the feed bot's own format and mapping settings, so a
 * sender whose feed is already described (a preset, or `format` and `map` as the feed and
 * file-feed bots take them) needs nothing new. The attachment may be gzip, zip or bz2
 * (sniffed, bots/feed/decode.ts); the intake's caps on attachment size, decompressed size and
 * rows hold, and a cut is said in problems. A bad row is skipped and listed with its line;
 * a mail whose attachments give no row at all is refused.
 */
import { Readable } from "node:stream";
import type { Attachment } from "mailparser";
import { decompress } from "../../feed/decode.js";
import { checkFormat, checkMapping } from "../../feed/check.js";
import { readRecords } from "../../feed/formats/index.js";
import { compileMapping, MappingError, type Mapper } from "../../feed/mapping.js";
import { PRESETS } from "../../feed/presets/index.js";
import { decodeText } from "../../feed/text.js";
import type { FormatSpec, Mapping } from "../../feed/types.js";
import type { EventJson } from "../../../core/index.js";
import { addressesOf, MailError, type HandlerContext, type MailHandler } from "../handler.js";
import { pattern, type Pattern } from "../template-check.js";
import { firstHit, globOf } from "./template-match.js";

export interface CsvConfig {
  /** The handler's name is `csv <name>`; also the events' `feed` unless the map's constants say. */
  name: string;
  /** Which mails: every part given must hold (sender and subject as templates take them). */
  match: { from?: string[]; subject?: string; filename?: string };
  /** A feed preset whose format and map are used (bots/feed/README.md lists them). */
  preset?: string;
  /** The feed's FormatSpec and Mapping (bots/feed/types.ts); they override the preset's. */
  format?: FormatSpec;
  map?: Mapping;
}

/** Attachment names taken when the config names none. */
const DEFAULT_FILES = /\.(?:csv|tsv|txt)(?:\.gz|\.bz2)?$|\.zip$/i;

/** A handler for one CSV config; throws an Error naming every problem of the config at once. */
export function csvHandler(config: CsvConfig): MailHandler {
  const label = `csv ${String(config.name)}`;
  const problems: string[] = [];
  const p = (at: string, what: string) => problems.push(`${label}: ${at}: ${what}`);
  const preset = config.preset === undefined ? undefined : PRESETS[config.preset];
  if (config.preset !== undefined && !preset) {
    p(
      "preset",
      `unknown preset ${JSON.stringify(config.preset)}; known: ${Object.keys(PRESETS).sort().join(", ")}`,
    );
  }
  const checked = <T>(at: string, value: unknown, check: (v: unknown) => T): T | undefined => {
    try {
      return value === undefined ? undefined : check(value);
    } catch (err) {
      p(at, (err as Error).message);
      return undefined;
    }
  };
  const format = checked("format", config.format, checkFormat) ?? preset?.format;
  const map = checked("map", config.map, checkMapping) ?? preset?.map;
  if (!format && !problems.some((m) => m.includes(": format:")))
    p("format", "needed (or a preset)");
  if (!map && !problems.some((m) => m.includes(": map:"))) p("map", "needed (or a preset)");
  const m = config.match ?? {};
  const from = Array.isArray(m.from)
    ? m.from.map((g) => globOf(String(g).toLowerCase()))
    : undefined;
  if (m.from !== undefined && !Array.isArray(m.from))
    p("match.from", "expected a list of addresses");
  const subject = pattern(p, "match.subject", m.subject);
  const filename: Pattern | undefined = pattern(p, "match.filename", m.filename);
  if (!from && !subject)
    p("match", "needs from or subject (a filename alone would take every such attachment)");
  let mapper: Mapper | undefined;
  if (map) {
    try {
      mapper = compileMapping(map, { feed: config.name });
    } catch (err) {
      p("map", (err as Error).message);
    }
  }
  if (problems.length > 0 || !format || !mapper) throw new Error(problems.join("\n"));
  const read = mapper;

  const wanted = (a: Attachment) =>
    filename
      ? filename.re.matcher(a.filename ?? "").find()
      : DEFAULT_FILES.test(a.filename ?? "") || a.contentType === "text/csv";
  return {
    name: label,
    match(mail) {
      const reasons: string[] = [];
      if (from) {
        const hit = firstHit(from, addressesOf(mail.parsed.from));
        if (!hit) return undefined;
        reasons.push(`From ${hit}`);
      }
      if (subject) {
        if (!subject.re.matcher(mail.parsed.subject ?? "").find()) return undefined;
        reasons.push(`Subject matches /${subject.source}/`);
      }
      const file = mail.parsed.attachments.find(wanted);
      if (!file) return undefined;
      reasons.push(
        `attachment ${file.filename ?? "(no name)"}${filename ? ` matches /${filename.source}/` : ""}`,
      );
      return reasons.join(", ");
    },
    async read(mail, ctx) {
      const files = mail.parsed.attachments.filter(wanted);
      if (files.length === 0) throw new MailError(mail.where, `${label}: no attachment to read`);
      const out: EventJson[] = [];
      const bad: string[] = [];
      const notes: string[] = [];
      let rows = 0;
      for (const file of files) {
        const where = `${mail.where}, ${file.filename ?? "attachment"}`;
        const left = ctx.limits.rows - rows;
        if (left <= 0) {
          bad.push(`${where}: not read, the row cap (${ctx.limits.rows}) is reached`);
          continue;
        }
        const r = await readFile(file, where, format, read, ctx, left);
        rows += r.rows;
        out.push(...r.events);
        bad.push(...r.problems);
        notes.push(`${where}: ${r.rows} rows, ${r.events.length} events`);
      }
      if (out.length === 0) {
        throw new MailError(
          mail.where,
          `${label}: no usable row${bad[0] ? ` (${bad[0]}${bad.length > 1 ? `, and ${bad.length - 1} more` : ""})` : ""}`,
        );
      }
      return { events: out, problems: bad, notes };
    },
  };
}

interface FileResult {
  events: EventJson[];
  problems: string[];
  rows: number;
}

/** The events of one attachment, within the caps. */
async function readFile(
  file: Attachment,
  where: string,
  format: FormatSpec,
  mapper: Mapper,
  ctx: HandlerContext,
  rowCap: number,
): Promise<FileResult> {
  const result: FileResult = { events: [], problems: [], rows: 0 };
  if (file.content.length > ctx.limits.attachmentBytes) {
    result.problems.push(
      `${where}: ${file.content.length} bytes, over the cap of ${ctx.limits.attachmentBytes}; not read`,
    );
    return result;
  }
  const cap = ctx.limits.decompressedBytes;
  let seen = 0;
  let cut = false;
  // Stop pulling bytes at the cap: a zip bomb is never inflated past it.
  async function* capped(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    for await (const chunk of body) {
      seen += chunk.length;
      if (seen > cap) {
        cut = true;
        yield chunk.subarray(0, chunk.length - (seen - cap));
        return;
      }
      yield chunk;
    }
  }
  try {
    const { body } = await decompress(Readable.from([file.content]));
    const records = readRecords(format, decodeText(capped(body)), (line, message) => {
      result.problems.push(`${where} line ${line}: ${message}; skipped`);
    });
    outer: for await (const batch of records) {
      for (const record of batch) {
        if (result.rows >= rowCap) {
          result.problems.push(`${where}: cut at the row cap (${rowCap})`);
          break outer;
        }
        result.rows += 1;
        try {
          const event = mapper(record);
          if (event) result.events.push(event.add("report format", "csv").toJSON());
        } catch (err) {
          if (!(err instanceof MappingError)) throw err;
          result.problems.push(`${where} line ${record.line}: ${err.message}; skipped`);
        }
      }
    }
  } catch (err) {
    // A broken archive or document: what was read before it stays.
    result.problems.push(`${where}: ${(err as Error).message}`);
  }
  if (cut) result.problems.push(`${where}: cut at ${cap} bytes decompressed (the cap)`);
  return result;
}
