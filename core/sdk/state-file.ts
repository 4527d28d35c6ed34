/** Small state files that survive restarts and are never seen half-written. */
import { open, rename, rm } from "node:fs/promises";

/** Write to a temp file beside `file`, flush it, then rename over: a crash leaves the old one. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, "w");
  try {
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
}
