/**
 * What a feed keeps in its instance's state dir between reads: the ids of the last complete
 * read (seen.ts) and, for HTTP feeds, the validators for a conditional GET. Both are replaced
 * only after a complete read, so a failed or cut-off read is simply tried again.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { readJsonFile, writeJsonFile } from "../../core/index.js";
import type { Validators } from "./fetch.js";
import type { ReadReport } from "./report.js";
import { IdSet, loadIds, saveIds } from "./seen.js";

const IDS = "seen-ids.bin";
const HTTP = "http-cache.json";

interface HttpCache {
  /** Hash of what the validators were got for: another URL or mapping must not get a 304. */
  key: string;
  validators: Validators;
}

/** A stable hash of the parts of a feed that decide its events. */
export function specKey(parts: unknown): string {
  return createHash("sha1").update(JSON.stringify(parts)).digest("hex");
}

/** Ids of the last complete read; an unreadable file is reported and treated as none. */
export async function loadPrevious(stateDir: string, log: Logger, feed: string): Promise<IdSet> {
  try {
    return await loadIds(join(stateDir, IDS));
  } catch (err) {
    log.warn(
      { err, feed },
      `feed ${feed}: cannot read the ids of the last read; all events count as new`,
    );
    return new IdSet();
  }
}

/** After a complete read whose reports are finished: save the ids of this read. */
export async function saveRead(
  stateDir: string,
  next: IdSet,
  reports: ReadReport[],
): Promise<void> {
  // An empty body keeps the last state: an outage page served as 200 must not make every
  // entry "new" again on the next good read.
  if (reports.every((r) => r.records === 0)) return;
  await saveIds(join(stateDir, IDS), next);
}

/** Validators to send, when they belong to this spec and the ids of their read are there. */
export async function loadValidators(
  stateDir: string,
  key: string,
): Promise<Validators | undefined> {
  // A cache, not truth: an unreadable one means an unconditional GET.
  const cache = await readJsonFile<HttpCache>(join(stateDir, HTTP)).catch(() => undefined);
  if (cache?.key !== key) return undefined;
  const ids = await stat(join(stateDir, IDS)).catch(() => undefined);
  return ids ? cache.validators : undefined;
}

export async function saveValidators(
  stateDir: string,
  key: string,
  validators: Validators,
): Promise<void> {
  await writeJsonFile(join(stateDir, HTTP), { key, validators } satisfies HttpCache);
}
