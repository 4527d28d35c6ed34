/**
 * Follow a growing log file like `tail -F`: read what was appended, in whole lines, and
 * notice rotation (the path now names another inode: the old file is read to its end first)
 * and truncation (copytruncate: the size went below our offset). The path is polled with
 * stamp.ts every `pollMs`.
 */
import { open, type FileHandle } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { stampOf } from "./stamp.js";

/** Where reading a file stands; plain JSON, for a bot to save and resume from. */
export interface FilePosition {
  ino: number;
  /** Byte offset after the last whole line handed on. */
  offset: number;
  /** Number of the next line. */
  line: number;
}

export interface LineBlock {
  /** Whole lines, each ending in "\n". */
  text: string;
  firstLine: number;
  /** Byte offset of the block's first line. */
  start: number;
  /** Whether the block starts the file (line 1): a CSV header or banner is in it. */
  fresh: boolean;
  /** Where reading stands after this block: save it once the block's events are out. */
  end: FilePosition;
}

export interface FollowFileOptions {
  signal: AbortSignal;
  pollMs?: number;
  /** Told when the file was rotated or truncated. */
  onReset?: (why: "rotated" | "truncated") => void;
}

const STEP = 1 << 20;

/** Read whole lines from `pos` to the end of `fh`; returns the blocks and the new position. */
async function readLines(fh: FileHandle, pos: FilePosition): Promise<LineBlock[]> {
  const blocks: LineBlock[] = [];
  const { size } = await fh.stat();
  let at = pos;
  while (at.offset < size) {
    const want = Math.min(STEP, size - at.offset);
    const buf = Buffer.alloc(want);
    const { bytesRead } = await fh.read(buf, 0, want, at.offset);
    const cut = buf.lastIndexOf(0x0a, bytesRead - 1);
    // No newline in a whole step: a giant line; hand it on rather than wait forever.
    const end = cut >= 0 ? cut + 1 : bytesRead === STEP ? bytesRead : 0;
    if (end === 0) break; // a line still being written: wait for its newline
    const text = buf.subarray(0, end).toString("utf8");
    let lines = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines += 1;
    const next = { ino: at.ino, offset: at.offset + end, line: at.line + lines };
    blocks.push({ text, firstLine: at.line, start: at.offset, fresh: at.offset === 0, end: next });
    at = next;
  }
  return blocks;
}

/**
 * Blocks of whole lines appended to `path`, from `start` (when it is still the same file and
 * not shorter) or from the beginning, until the signal aborts.
 */
export async function* followFile(
  path: string,
  start: FilePosition | undefined,
  opts: FollowFileOptions,
): AsyncIterable<LineBlock> {
  const pollMs = opts.pollMs ?? 1000;
  let fh: FileHandle | undefined;
  let pos: FilePosition | undefined;
  try {
    while (!opts.signal.aborted) {
      const now = await stampOf(path);
      if (fh && pos && now && now.ino !== pos.ino) {
        // Rotated: what the writer appended to the old file before the switch comes first.
        for (const b of await readLines(fh, pos)) yield b;
        await fh.close();
        fh = undefined;
        opts.onReset?.("rotated");
      }
      if (!fh && now) {
        fh = await open(path, "r");
        const ino = (await fh.stat()).ino;
        const resume = pos === undefined && start?.ino === ino && start.offset <= now.size;
        pos = resume && start ? start : { ino, offset: 0, line: 1 };
      }
      if (fh && pos) {
        if ((await fh.stat()).size < pos.offset) {
          pos = { ino: pos.ino, offset: 0, line: 1 };
          opts.onReset?.("truncated");
        }
        for (const b of await readLines(fh, pos)) {
          yield b;
          pos = b.end;
        }
      }
      await sleep(pollMs, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  } finally {
    await fh?.close();
  }
}
