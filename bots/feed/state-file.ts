/** Small state files that survive restarts and are never seen half-written. */
import { readFile } from "node:fs/promises";
import { writeAtomic } from "../../core/index.js";

export { writeAtomic };

/** A JSON state file, or undefined when missing or unreadable (state is a cache, not truth). */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeAtomic(file, JSON.stringify(value) + "\n");
}
