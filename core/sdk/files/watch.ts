/**
 * Reload data files (ASN tables, GeoIP databases, customer files) when they change, polled
 * with stamp.ts. A change is acted on once the files look the same on two checks in a row, so
 * a file still being written is not read half-way.
 */
import { sameStamp, stampOf, type Stamp } from "./stamp.js";

type Signature = (Stamp | undefined)[];

/** Each file's stamp; one that cannot be stat'ed counts as missing (the reload will say why). */
const signature = (files: readonly string[]): Promise<Signature> =>
  Promise.all(files.map((f) => stampOf(f).catch(() => undefined)));

const same = (a: Signature, b: Signature): boolean => a.every((s, i) => sameStamp(s, b[i]));

export interface Watcher {
  /** Check now (what the timer does); resolves when any reload it started is done. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Call `reload()` after `files` change, checking every `intervalMs` (0: only when `check()` is
 * called). A reload that throws is passed to `onError` and tried again only after the next
 * change.
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
      const stable = same(now, seen);
      seen = now;
      if (same(now, loaded) || !stable) return;
      loaded = now;
      await reload().catch(onError);
    })().finally(() => (busy = undefined));
    return busy;
  };
  const timer = intervalMs > 0 ? setInterval(() => void check(), intervalMs) : undefined;
  timer?.unref();
  return { check, stop: () => clearInterval(timer) };
}
