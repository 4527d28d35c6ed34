/**
 * The schema update behind `startup.ts shadowserver-schema`: download Shadowserver's current
 * report schema (the URL IntelMQ's parser uses), convert it to our mapping, write it
 * atomically and say what changed since the last one. It prints nothing: the command shows
 * `text`.
 */
import { existsSync } from "node:fs";
import { writeAtomic } from "../../../core/index.js";
import { diffMappings } from "./diff.js";
import { formatMapping } from "./format.js";
import { mappingFromSchema, schemaMeta } from "./from-schema.js";
import { readMapping, shippedMapping, type Mapping } from "./mapping.js";

/** Where IntelMQ's Shadowserver parser downloads the schema (its _config.py schema_url). */
export const SCHEMA_URL = "https://interchange.shadowserver.org/intelmq/v1/schema";

/** The schema is about 700 kB; anything far larger is not it. */
const MAX_SCHEMA_BYTES = 32 * 1024 * 1024;
const TIMEOUT_MS = 60_000;

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface UpdateOptions {
  /** Schema location (default SCHEMA_URL). */
  url?: string;
  /** The mapping file to update; compared with, then replaced. */
  file: string;
  /** fetch to use (default globalThis.fetch); tests pass their own. */
  fetch?: Fetch;
}

export interface SchemaUpdate {
  /** Whether the file was written (it had other reports, or did not exist). */
  written: boolean;
  /** One line per change, for a person. */
  changes: string[];
  /** The whole report: schema date, what it was compared with, the changes. */
  text: string;
  mapping: Mapping;
}

async function download(url: string, fetch: Fetch): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new Error(
      `could not download the Shadowserver schema from ${url}: ${(err as Error).message}`,
    );
  }
  if (!res.ok) {
    throw new Error(
      `could not download the Shadowserver schema from ${url}: HTTP ${res.status} ${res.statusText}`,
    );
  }
  const length = Number(res.headers.get("content-length") ?? 0);
  if (length > MAX_SCHEMA_BYTES)
    throw new Error(`${url}: ${length} bytes is too large for the schema`);
  const body = await res.text();
  if (body.length > MAX_SCHEMA_BYTES)
    throw new Error(`${url}: ${body.length} bytes is too large for the schema`);
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new Error(`${url} is not the Shadowserver schema: not JSON (${(err as Error).message})`);
  }
}

/**
 * Download, convert, compare and write. The comparison is with `file` when it exists, else
 * with the shipped mapping (whose groups, aliases and common rules a first update starts
 * from). Throws, writing nothing, when the download fails or is not a schema.
 */
export async function updateSchema(opts: UpdateOptions): Promise<SchemaUpdate> {
  const url = opts.url ?? SCHEMA_URL;
  const schema = await download(url, opts.fetch ?? globalThis.fetch);
  const had = existsSync(opts.file);
  const before = had ? readMapping(opts.file) : shippedMapping();
  const meta = schemaMeta(schema);
  const mapping = mappingFromSchema(schema, before, `Shadowserver schema ${url}`);
  const changes = diffMappings(before, mapping);
  const written = !had || changes.length > 0 || before.date !== mapping.date;
  if (written) await writeAtomic(opts.file, formatMapping(mapping));
  const count = Object.keys(mapping.reports).length;
  const lines = [
    `Shadowserver schema ${meta.date ?? "(undated)"} from ${url}: ${count} report types`,
    `compared with ${had ? `${opts.file} (${before.date ?? "undated"})` : "the shipped mapping"}`,
  ];
  if (meta.changes.length > 0) lines.push(`Shadowserver's change log: ${meta.changes.join(" ")}`);
  lines.push(...(changes.length > 0 ? changes : ["no changes in the report types or columns"]));
  lines.push(written ? `written to ${opts.file}` : `${opts.file} is up to date`);
  return { written, changes, text: lines.join("\n"), mapping };
}
