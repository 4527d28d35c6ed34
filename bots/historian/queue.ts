/**
 * The historian's write queue: every document is appended to a journal (JSON lines in the state
 * dir) before consume() returns, so a crash or a CouchDB outage loses nothing; a background loop
 * writes batches to CouchDB and deletes a journal segment once all of it is stored. Memory holds
 * at most `maxMemory` documents; beyond that a segment lives only on disk ("spilled") and is read
 * back when CouchDB is there again.
 */
import { mkdir, open, readdir, readFile, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface WriteQueueOptions<T> {
  dir: string;
  /** Store one batch; throws when it could not (the batch is retried with backoff). */
  write(batch: T[]): Promise<void>;
  batchSize: number;
  /** How long a partial batch may wait for more documents. */
  lingerMs: number;
  /** Documents held in memory at most; more are only on disk until written. */
  maxMemory: number;
  /** Lines per journal segment (default 10 × batchSize). */
  segmentSize?: number;
  retry?: { minMs: number; maxMs: number };
  /** Writing failed `failures` times in a row; `pending` documents wait. */
  onFailure?(err: unknown, failures: number, pending: number): void;
  /** Writing works again after failures. */
  onRecovery?(failures: number, pending: number): void;
}

interface Segment<T> {
  n: number;
  file: string;
  handle: FileHandle | undefined;
  /** In memory; undefined when spilled (read back from the file). */
  docs: T[] | undefined;
  total: number;
  done: number;
  closed: boolean;
}

const SEGMENT = /^segment-(\d+)\.jsonl$/;

export class WriteQueue<T> {
  readonly #o: WriteQueueOptions<T>;
  readonly #segments: Segment<T>[] = [];
  #next = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #wake: (() => void) | undefined;
  #stopped = false;
  #urgent = false;
  #loop: Promise<void> | undefined;
  #failures = 0;

  constructor(opts: WriteQueueOptions<T>) {
    this.#o = opts;
  }

  /** Documents not yet stored (in memory or on disk). */
  get pending(): number {
    return this.#segments.reduce((n, s) => n + s.total - s.done, 0);
  }

  /** Load what an earlier run left in the journal, then start writing. */
  async start(): Promise<void> {
    await mkdir(this.#o.dir, { recursive: true });
    const names = (await readdir(this.#o.dir)).filter((f) => SEGMENT.test(f));
    const numbered = names.map((f) => Number(SEGMENT.exec(f)?.[1])).sort((a, b) => a - b);
    for (const n of numbered) {
      const file = this.#file(n);
      const total = (await readLines<T>(file)).length;
      this.#segments.push({
        n,
        file,
        handle: undefined,
        docs: undefined,
        total,
        done: 0,
        closed: true,
      });
      this.#next = n + 1;
    }
    this.#loop = this.#run();
  }

  /** Journal a document; resolves once it is on disk. */
  push(doc: T): Promise<void> {
    const appended = this.#chain.then(() => this.#append(doc));
    this.#chain = appended.catch(() => undefined);
    return appended;
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
    await this.#chain;
    for (const s of this.#segments) await s.handle?.close();
  }

  #file(n: number): string {
    return join(this.#o.dir, `segment-${String(n).padStart(8, "0")}.jsonl`);
  }

  async #append(doc: T): Promise<void> {
    let seg = this.#segments.at(-1);
    const size = this.#o.segmentSize ?? this.#o.batchSize * 10;
    if (seg === undefined || seg.closed || seg.total >= size) {
      if (seg !== undefined) await this.#close(seg);
      const n = this.#next++;
      seg = {
        n,
        file: this.#file(n),
        handle: undefined,
        docs: [],
        total: 0,
        done: 0,
        closed: false,
      };
      seg.handle = await open(seg.file, "a");
      this.#segments.push(seg);
    }
    await seg.handle?.appendFile(JSON.stringify(doc) + "\n");
    const inMemory = this.#segments.reduce((n, s) => n + (s.docs ? s.total - s.done : 0), 0);
    if (seg.docs !== undefined && inMemory >= this.#o.maxMemory) seg.docs = undefined;
    seg.docs?.push(doc);
    seg.total++;
    // Not while backing off after a failure: new documents must not cause a retry storm.
    const waiting = seg.total - seg.done;
    if (this.#failures === 0 && (waiting >= this.#o.batchSize || waiting === 1)) this.#wake?.();
  }

  async #close(seg: Segment<T>): Promise<void> {
    seg.closed = true;
    const handle = seg.handle;
    seg.handle = undefined;
    await handle?.close();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const seg = this.#segments.find((s) => s.done < s.total);
      if (seg === undefined) {
        await this.#sleep(60_000);
        continue;
      }
      const waiting = seg.total - seg.done;
      if (!seg.closed && waiting < this.#o.batchSize && !this.#urgent && this.#failures === 0) {
        await this.#sleep(this.#o.lingerMs);
        if (this.#stopped) break;
      }
      await this.#writeBatch(seg);
    }
  }

  async #writeBatch(seg: Segment<T>): Promise<void> {
    const all = seg.docs ?? (await readLines<T>(seg.file)).slice(0, seg.total);
    const start = seg.docs ? 0 : seg.done;
    const batch = all.slice(start, start + this.#o.batchSize);
    try {
      await this.#o.write(batch);
    } catch (err) {
      this.#failures++;
      this.#o.onFailure?.(err, this.#failures, this.pending);
      const { minMs, maxMs } = this.#o.retry ?? { minMs: 500, maxMs: 30_000 };
      await this.#sleep(Math.min(maxMs, minMs * 2 ** (this.#failures - 1)));
      return;
    }
    if (this.#failures > 0) this.#o.onRecovery?.(this.#failures, this.pending);
    this.#failures = 0;
    seg.done += batch.length;
    if (seg.docs) seg.docs.splice(0, batch.length);
    if (seg.done === seg.total) await this.#retire(seg);
  }

  /** Delete a fully stored segment, unless a document was appended meanwhile. */
  #retire(seg: Segment<T>): Promise<void> {
    const retired = this.#chain.then(async () => {
      if (seg.done !== seg.total) return;
      await this.#close(seg);
      await rm(seg.file, { force: true });
      this.#segments.splice(this.#segments.indexOf(seg), 1);
    });
    this.#chain = retired.catch(() => undefined);
    return retired;
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

/** The complete JSON lines of a journal file (a torn last line from a crash is skipped). */
async function readLines<T>(file: string): Promise<T[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A line cut short by a crash: it was never acknowledged, catch-up brings it again.
    }
  }
  return out;
}
