/**
 * Compressed bodies, streamed: gzip (zlib), zip (fflate's streaming Unzip: the first file or a
 * named member) and bz2 (unbzip2-stream). Detected by magic bytes, which cannot be wrong the
 * way a URL suffix or Content-Type can (fetch has already undone a Content-Encoding: gzip).
 */
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import bz2 from "unbzip2-stream";
import { unzipMember } from "./unzip.js";

export type Compression = "none" | "gzip" | "zip" | "bz2";

const BZ_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]; // bzip2 block magic (pi)

/** What the first bytes of a body say it is. */
export function sniff(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "zip";
  const bz = head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68;
  if (
    bz &&
    (head[3] ?? 0) >= 0x31 &&
    (head[3] ?? 0) <= 0x39 &&
    BZ_BLOCK.every((b, i) => head[4 + i] === b)
  ) {
    return "bz2";
  }
  return "none";
}

/** Take enough leading bytes to sniff, then give the stream back whole. */
async function peek(
  chunks: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const it = chunks[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    taken.push(r.value);
    length += r.value.length;
  }
  const head = Buffer.concat(taken).subarray(0, n);
  async function* all(): AsyncIterable<Uint8Array> {
    yield* taken;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head, all: all() };
}

async function* gunzip(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  // pipeline, not pipe: an error of the source (a cut connection) must reach the reader.
  const out = pipeline(Readable.from(chunks), createGunzip(), () => undefined);
  for await (const chunk of out) yield chunk as Buffer;
}

async function* bunzip(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const stream = bz2();
  const queue: Buffer[] = [];
  let failed: Error | undefined;
  stream.on("data", (d: Buffer) => queue.push(d));
  stream.on("error", (err: Error) => (failed ??= err));
  const fail = () => new Error(`bad or truncated bz2 data: ${failed?.message ?? "?"}`);
  for await (const chunk of chunks) {
    stream.write(Buffer.from(chunk));
    if (failed) throw fail();
    while (queue.length > 0) yield queue.shift() as Buffer;
  }
  stream.end();
  if (failed) throw fail();
  while (queue.length > 0) yield queue.shift() as Buffer;
}

export interface DecodeOptions {
  /** "auto" (default) sniffs; anything else is taken as said. */
  compression?: Compression | "auto";
  /** Zip: the member to read (default: the first file). */
  member?: string;
}

/** The decompressed body; a broken or truncated archive throws where it is found. */
export async function decompress(
  chunks: AsyncIterable<Uint8Array>,
  opts: DecodeOptions = {},
): Promise<{ compression: Compression; body: AsyncIterable<Uint8Array> }> {
  const { head, all } = await peek(chunks, 10);
  const compression =
    opts.compression === undefined || opts.compression === "auto" ? sniff(head) : opts.compression;
  switch (compression) {
    case "gzip":
      return { compression, body: gunzip(all) };
    case "bz2":
      return { compression, body: bunzip(all) };
    case "zip":
      return { compression, body: unzipMember(all, opts.member) };
    case "none":
      return { compression, body: all };
  }
}
