/**
 * One member of a zip archive, streamed with fflate's Unzip: input is pushed a chunk at a time
 * and the member's output is handed on before more input is read, so memory stays flat.
 */
import { Unzip, UnzipInflate, type UnzipFile } from "fflate";

export async function* unzipMember(
  chunks: AsyncIterable<Uint8Array>,
  member?: string,
): AsyncIterable<Uint8Array> {
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  const queue: Uint8Array[] = [];
  const names: string[] = [];
  let chosen: string | undefined;
  let finished = false;
  let failed: Error | undefined;
  unzip.onfile = (file: UnzipFile) => {
    names.push(file.name);
    if (chosen !== undefined || file.name.endsWith("/")) return;
    if (member !== undefined && file.name !== member) return;
    chosen = file.name;
    file.ondata = (err, data, final) => {
      if (err) failed ??= err;
      else if (data.length > 0) queue.push(data);
      if (final) finished = true;
    };
    file.start();
  };
  const push = (data: Uint8Array, final: boolean) => {
    try {
      unzip.push(data, final);
    } catch (err) {
      failed ??= err as Error;
    }
    if (failed) throw new Error(`bad zip data in ${chosen ?? "the archive"}: ${failed.message}`);
  };
  for await (const chunk of chunks) {
    push(chunk, false);
    while (queue.length > 0) yield queue.shift() as Uint8Array;
    // Members after the one we read are not needed: stop downloading.
    if (finished) return;
  }
  push(new Uint8Array(0), true);
  while (queue.length > 0) yield queue.shift() as Uint8Array;
  if (chosen === undefined) {
    const want = member === undefined ? "no file" : `no member ${JSON.stringify(member)}`;
    throw new Error(`${want} in the zip archive (members: ${names.join(", ") || "none"})`);
  }
  if (!finished) throw new Error(`zip member ${chosen} is truncated`);
}
