/**
 * The one way core polls a file: a stat on a timer, reduced to a stamp. Not fs.watch: a watch
 * follows the inode, so it misses a new file renamed over the path (how tools replace data
 * files, how logrotate rotates), and it misses events on network file systems.
 */
import { stat } from "node:fs/promises";

export interface Stamp {
  /** Which file the path names: another inode means it was replaced or rotated. */
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The path's stamp, or undefined while nothing is there (between a rename and a create). */
export async function stampOf(path: string): Promise<Stamp | undefined> {
  try {
    const { ino, size, mtimeMs } = await stat(path);
    return { ino, size, mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Whether two stamps (undefined: missing) show the same, unchanged file. */
export function sameStamp(a: Stamp | undefined, b: Stamp | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
