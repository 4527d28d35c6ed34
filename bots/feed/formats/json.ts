/**
 * JSON feeds: a document with the records in an array at a dotted path, or JSON lines (one
 * object per line). Nested objects are flattened to dotted field names (`source.ip`), so a
 * mapping names a nested value the way the path option names the array.
 */
import type { FormatSpec } from "../types.js";
import type { BadRecord, FeedRecord, Fields } from "../record.js";
import type { LineBatch } from "../text.js";

export type JsonFormat = Extract<FormatSpec, { type: "json" }>;

/** Flatten one JSON object into fields: scalars to strings, arrays to several values. */
export function flatten(obj: Record<string, unknown>, into: Fields = {}, prefix = ""): Fields {
  for (const [key, value] of Object.entries(obj)) addValue(into, prefix + key, value);
  return into;
}

function addValue(into: Fields, name: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) addValue(into, name, item);
    return;
  }
  if (typeof value === "object") {
    flatten(value as Record<string, unknown>, into, `${name}.`);
    return;
  }
  // Numbers and booleans as JSON writes them (1e21, true).
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const had = into[name];
  if (had === undefined) into[name] = text;
  else if (typeof had === "string") into[name] = [had, text];
  else had.push(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The records array of a parsed document at `path`; throws saying where it is missing. */
export function recordsAt(doc: unknown, path: string | undefined): unknown[] {
  let node = doc;
  const seen: string[] = [];
  for (const part of (path ?? "").split(".").filter((p) => p !== "")) {
    if (!isObject(node) || !(part in node)) {
      const at = seen.length > 0 ? seen.join(".") : "the top level";
      throw new Error(`no ${JSON.stringify(part)} in ${at} of the JSON document`);
    }
    node = node[part];
    seen.push(part);
  }
  if (!Array.isArray(node)) {
    throw new Error(`expected an array at ${path ? JSON.stringify(path) : "the top level"}`);
  }
  return node;
}

/** Records of a whole document; a record that is not an object goes to `bad` (numbered from 1). */
export function documentRecords(text: string, spec: JsonFormat, bad: BadRecord): FeedRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the body is not a JSON document: ${(err as Error).message}`);
  }
  const out: FeedRecord[] = [];
  recordsAt(doc, spec.path).forEach((item, i) => {
    if (isObject(item)) out.push({ line: i + 1, fields: flatten(item) });
    else bad(i + 1, `record ${i + 1} is not an object`, JSON.stringify(item) ?? "undefined");
  });
  return out;
}

/** Records of JSON lines; a line that is not a JSON object goes to `bad`. */
export async function* jsonLineRecords(
  lines: AsyncIterable<LineBatch>,
  bad: BadRecord,
): AsyncIterable<FeedRecord[]> {
  for await (const batch of lines) {
    const out: FeedRecord[] = [];
    batch.lines.forEach((text, i) => {
      const line = batch.first + i;
      if (text.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        bad(line, `not JSON: ${(err as Error).message}`, text);
        return;
      }
      if (isObject(value)) out.push({ line, fields: flatten(value) });
      else bad(line, "expected a JSON object", text);
    });
    if (out.length > 0) yield out;
  }
}
