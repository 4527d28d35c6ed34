/** The window bot's state file: written whole and renamed over, so it is never half-written. */
import { readFile } from "node:fs/promises";
import { writeAtomic } from "../../core/index.js";

export { writeAtomic };

/** The file's JSON, or undefined when there is no file; throws on unreadable content. */
export async function readState(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}
