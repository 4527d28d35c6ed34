/**
 * The historian's write queue: every document is appended to a journal (core's Journal, in the
 * state dir) before consume() returns, so a crash or a CouchDB outage loses nothing; a
 * background loop writes batches to CouchDB and acknowledges them, and the journal deletes a
 * segment once all of it is stored. Memory holds at most `maxMemory` documents; beyond that
 * they live only on disk ("spilled") and are read back when CouchDB is there again.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Journal, readJsonLines, type FsyncPolicy, type JournalLoad } from "../../core/index.js";

export interface WriteQueueOptions<T> {
  dir: string;
  /** Store one batch; throws when it could not (the batch is retried with backoff). */
  write(batch: T[]): Promise<void>;
  batchSize: number;
  /** How long a partial batch may wait for more documents. */
  lingerMs: number;
  /** Documents held in memory at most; more are only on disk until written. */
  maxMemory: number;
  /** Documents per journal segment (default 10 × batchSize). */
  segmentSize?: number;
  /**
   * Default: fsync once a second. A killed process loses nothing either way; a power loss may
   * lose the last second, which the catch-up reads again only if its checkpoint was not saved.
   */
  fsync?: FsyncPolicy;
  retry?: { minMs: number; maxMs: number };
  /** Writing failed `failures` times in a row; `pending` documents wait. */
  onFailure?(err: unknown, failures: number, pending: number): void;
  /** Writing works again after failures. */
  onRecovery?(failures: number, pending: number): void;
}

/** What start() found: the journal's report, plus documents taken over from old segments. */
export interface QueueLoad extends JournalLoad {
  migrated: number;
}

export class WriteQueue<T> {
  readonly #o: WriteQueueOptions<T>;
  readonly #journal: Journal<T>;
  #wake: (() => void) | undefined;
  #stopped = false;
  #urgent = false;
  #loop: Promise<void> | undefined;
  #failures = 0;

  constructor(opts: WriteQueueOptions<T>) {
    this.#o = opts;
    this.#journal = new Journal<T>({
      dir: opts.dir,
      fsync: opts.fsync ?? { intervalMs: 1000 },
      segmentRecords: opts.segmentSize ?? opts.batchSize * 10,
      maxMemory: opts.maxMemory,
    });
  }

  /** Documents not yet stored (in memory or on disk). */
  get pending(): number {
    return this.#journal.size;
  }

  /** Load what an earlier run left in the journal, then start writing. */
  start(): Promise<QueueLoad> {
    try {
      const load = this.#journal.open();
      const migrated = migrateSegments(this.#o.dir, this.#journal);
      this.#loop = this.#run();
      return Promise.resolve({ ...load, migrated });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Journal a document; resolves once it is written to the journal. */
  push(doc: T): Promise<void> {
    try {
      this.#journal.append(doc);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    // Not while backing off after a failure: new documents must not cause a retry storm.
    const waiting = this.#journal.size;
    if (this.#failures === 0 && (waiting >= this.#o.batchSize || waiting === 1)) this.#wake?.();
    return Promise.resolve();
  }

  /**
   * Write what is queued now, waiting at most `timeoutMs`, then stop. What is left stays in the
   * journal for the next start.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#urgent = true;
    this.#wake?.();
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && this.#failures === 0 && Date.now() < until) await sleep(20);
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    this.#journal.close();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const waiting = this.#journal.size;
      if (waiting === 0) {
        await this.#sleep(60_000);
        continue;
      }
      if (waiting < this.#o.batchSize && !this.#urgent && this.#failures === 0) {
        await this.#sleep(this.#o.lingerMs);
        if (this.#stopped) break;
      }
      await this.#writeBatch();
    }
  }

  async #writeBatch(): Promise<void> {
    const batch = this.#journal.read(this.#o.batchSize);
    try {
      await this.#o.write(batch.map((r) => r.value));
    } catch (err) {
      this.#failures++;
      this.#o.onFailure?.(err, this.#failures, this.pending);
      const { minMs, maxMs } = this.#o.retry ?? { minMs: 500, maxMs: 30_000 };
      await this.#sleep(Math.min(maxMs, minMs * 2 ** (this.#failures - 1)));
      return;
    }
    if (this.#failures > 0) this.#o.onRecovery?.(this.#failures, this.pending);
    this.#failures = 0;
    this.#journal.ack(batch.map((r) => r.seq));
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }
}

const OLD_SEGMENT = /^segment-(\d+)\.jsonl$/;

/**
 * Earlier versions journalled to `segment-NNNNNNNN.jsonl` files in the same dir, one document
 * a line and no acknowledgements (a segment was deleted once stored). Journal what they hold,
 * oldest first, and delete them; a crash in between only writes those documents twice, which
 * the store counts as "already stored" (one document per event id).
 */
function migrateSegments<T>(dir: string, journal: Journal<T>): number {
  const number = (f: string) => Number(OLD_SEGMENT.exec(f)?.[1]);
  const old = readdirSync(dir).filter((f) => OLD_SEGMENT.test(f));
  let docs = 0;
  for (const name of old.sort((a, b) => number(a) - number(b))) {
    // A torn last line was never acknowledged to the runtime: catch-up brings that event again.
    const { records } = readJsonLines(join(dir, name));
    for (const { value } of records) journal.append(value as T);
    docs += records.length;
    journal.sync();
    rmSync(join(dir, name), { force: true });
  }
  return docs;
}
