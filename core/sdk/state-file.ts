/**
 * Small state files that survive restarts and crashes and are never seen half-written: the
 * one implementation behind ctx.state and the bots that keep files of their own.
 */
import { open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

let written = 0;

/**
 * Replace `file` with `data` so that after a crash or power loss it holds the old content or
 * the new, never a mix. The data goes to a temp file beside it (same file system, so the
 * rename cannot become a copy), which is fsync'ed before it is renamed over `file` (rename(2)
 * replaces atomically). Then the directory is fsync'ed: the rename is a change to the
 * directory, and fsync(2) of a file does not make the entry that names it durable.
 * `mode` (e.g. 0o600 for a file holding secrets) is set before any data is written.
 */
export async function writeAtomic(
  file: string,
  data: string | Uint8Array,
  opts: { mode?: number } = {},
): Promise<void> {
  // Unique per write: two writes of one file in flight must not share a temp file.
  const tmp = `${file}.${process.pid}.${(written += 1)}.tmp`;
  const handle = await open(tmp, "w", opts.mode);
  try {
    // The umask may have narrowed the mode given to open(): set it as asked.
    if (opts.mode !== undefined) await handle.chmod(opts.mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(file));
}

async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory to sync it.
  if (process.platform === "win32") return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems (FUSE, some network mounts) cannot sync a directory: the rename is done.
    if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
  } finally {
    await handle.close();
  }
}

/** Write `value` as one line of JSON, atomically (see writeAtomic). */
export function writeJsonFile(file: string, value: unknown): Promise<void> {
  return writeAtomic(file, `${JSON.stringify(value)}\n`);
}

/**
 * The JSON in `file`, or undefined when there is no such file; throws when it cannot be read
 * or parsed, so the caller decides whether bad state is set aside, logged or ignored. The
 * content is not checked against `T`.
 */
export async function readJsonFile<T = unknown>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}
