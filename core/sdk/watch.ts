/**
 * Reload data files when they change. Files are stat'ed every `intervalMs` rather than
 * fs.watch'ed: a watch follows the inode, and tools replace these files by renaming a new one
 * over them. A change is acted on once the files look the same on two checks in a row, so a
 * file still being written is not read half-way.
 */
import { stat } from "node:fs/promises";

async function signature(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (f) => {
      try {
        const s = await stat(f);
        return `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        return "missing";
      }
    }),
  );
  return parts.join("|");
}

export interface Watcher {
  /** Check now (what the timer does); resolves when any reload it started is done. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Call `reload()` after `files` change. A reload that throws is passed to `onError` and tried
 * again only after the next change.
 */
export async function watchFiles(
  files: readonly string[],
  intervalMs: number,
  reload: () => Promise<void>,
  onError: (err: unknown) => void,
): Promise<Watcher> {
  let loaded = await signature(files);
  let seen = loaded;
  let busy: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    if (busy) return busy;
    busy = (async () => {
      const now = await signature(files);
      const stable = now === seen;
      seen = now;
      if (now === loaded || !stable) return;
      loaded = now;
      await reload().catch(onError);
    })().finally(() => (busy = undefined));
    return busy;
  };
  const timer = intervalMs > 0 ? setInterval(() => void check(), intervalMs) : undefined;
  timer?.unref();
  return { check, stop: () => clearInterval(timer) };
}
