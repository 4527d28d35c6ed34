// Append-only daily JSON-lines files per room, as AbuseHelper's archivebot keeps them:
// `<dir>/<room>/YYYY/MM/DD.jsonl` by UTC day of arrival. Lines are written in batches, each
// batch fsync'd before the events in it count as stored. A day's file is gzipped to
// `DD.jsonl.gz` once the day is over (and, at start, any older day left uncompressed).
import { createReadStream, createWriteStream } from "node:fs";
import {
  copyFile,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  type FileHandle,
} from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

export interface ArchiveOptions {
  dir: string;
  compress: boolean;
  now?: () => Date;
}

interface OpenFile {
  day: string;
  path: string;
  handle: FileHandle;
}

interface Waiting {
  room: string;
  line: string;
}

/** `YYYY/MM/DD` of a date in UTC. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll("-", "/");
}

/** A room JID as one safe directory name (a JID may not hold `/` but may hold odd bytes). */
export function roomDir(room: string): string {
  return room.toLowerCase().replace(/[^a-z0-9@._+-]/g, "_");
}

export class ArchiveWriter {
  readonly #open = new Map<string, OpenFile>();
  #queue: Waiting[] = [];
  #flushing: Promise<void> = Promise.resolve();
  readonly #now: () => Date;

  constructor(private readonly opts: ArchiveOptions) {
    this.#now = opts.now ?? (() => new Date());
  }

  /** Queue one event's line; it is on disk once the next flush() resolves. */
  append(room: string, json: unknown): void {
    this.#queue.push({ room, line: JSON.stringify(json) + "\n" });
  }

  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Write and fsync every queued line; flushes run one after another. On a write error the
   * room's lines go back to the queue (the next flush retries them) and the error is thrown.
   */
  flush(): Promise<void> {
    const run = this.#flushing.catch(() => undefined).then(() => this.#flushNow());
    this.#flushing = run;
    return run;
  }

  async #flushNow(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    const day = dayOf(this.#now());
    await this.#rollOver(day);
    const byRoom = new Map<string, Waiting[]>();
    for (const w of batch) {
      const list = byRoom.get(w.room);
      if (list) list.push(w);
      else byRoom.set(w.room, [w]);
    }
    let failure: unknown;
    for (const [room, items] of byRoom) {
      try {
        const file = await this.#file(room, day);
        await file.handle.appendFile(items.map((w) => w.line).join(""));
        await file.handle.datasync();
      } catch (err) {
        failure ??= err;
        this.#queue.unshift(...items);
        await this.#forget(room);
      }
    }
    if (failure !== undefined) {
      throw failure instanceof Error
        ? failure
        : new Error("archive write failed", { cause: failure });
    }
  }

  async #file(room: string, day: string): Promise<OpenFile> {
    const have = this.#open.get(room);
    if (have?.day === day) return have;
    const path = join(this.opts.dir, roomDir(room), `${day}.jsonl`);
    await mkdir(join(path, ".."), { recursive: true });
    const file = { day, path, handle: await open(path, "a") };
    this.#open.set(room, file);
    return file;
  }

  async #forget(room: string): Promise<void> {
    const file = this.#open.get(room);
    this.#open.delete(room);
    await file?.handle.close().catch(() => undefined);
  }

  /** Close (and compress) the files of days that are over. */
  async #rollOver(today: string): Promise<void> {
    for (const [room, file] of this.#open) {
      if (file.day === today) continue;
      this.#open.delete(room);
      await file.handle.close();
      if (this.opts.compress) await gzipFile(file.path);
    }
  }

  /** At start: compress every `.jsonl` of a day before today (left by a stop or a crash). */
  async compressOld(): Promise<string[]> {
    if (!this.opts.compress) return [];
    const today = dayOf(this.#now());
    const done: string[] = [];
    for (const path of await jsonlFiles(this.opts.dir)) {
      const day = path.slice(-"YYYY/MM/DD.jsonl".length, -".jsonl".length);
      if (day < today && !this.#isOpen(path)) {
        await gzipFile(path);
        done.push(path);
      }
    }
    return done;
  }

  #isOpen(path: string): boolean {
    return [...this.#open.values()].some((f) => f.path === path);
  }

  /** Tick: roll over a day that ended without new events. */
  tick(): Promise<void> {
    const run = this.#flushing
      .catch(() => undefined)
      .then(() => this.#rollOver(dayOf(this.#now())));
    this.#flushing = run;
    return run;
  }

  async close(): Promise<void> {
    await this.flush();
    for (const file of this.#open.values()) await file.handle.close();
    this.#open.clear();
  }
}

/**
 * `DD.jsonl` → `DD.jsonl.gz`, crash-safe: build a temp file (an existing `.gz` first, then a new
 * gzip member; RFC 1952 §2.2 lets members follow one another), fsync, rename over, then delete
 * the plain file. A crash before the rename leaves the plain file, compressed again next time.
 */
export async function gzipFile(path: string): Promise<void> {
  const gz = `${path}.gz`;
  const tmp = `${gz}.tmp`;
  if (await exists(gz)) await copyFile(gz, tmp);
  else await rm(tmp, { force: true });
  await pipeline(createReadStream(path), createGzip(), createWriteStream(tmp, { flags: "a" }));
  const h = await open(tmp, "r+");
  await h.sync();
  await h.close();
  await rename(tmp, gz);
  await rm(path);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function jsonlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /^\d\d\.jsonl$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}
