/**
 * The ids of the events of the last complete poll (AbusHelper PollingBot: emit only what is
 * new since then). Ids are kept as their first 8 bytes in an open-addressing table of
 * Uint32 pairs: 1M ids take 16-32 MB instead of ~100 MB as a Set of strings, and the file is
 * 8 bytes an id. A 64-bit prefix of SHA-1 makes a false "seen" about 1 in 10^7 at 1M ids.
 */
import { readFile } from "node:fs/promises";
import { writeAtomic } from "../../core/index.js";

const MAGIC = Buffer.from("FEEDIDS1");

export class IdSet {
  #table: Uint32Array;
  #size = 0;

  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#table = new Uint32Array(slots * 2);
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes the table holds (for the benchmark's memory figures). */
  get bytes(): number {
    return this.#table.byteLength;
  }

  /** Add a 40-hex-digit event id; false when it was already there. */
  addId(id: string): boolean {
    return this.add(Number.parseInt(id.slice(0, 8), 16), Number.parseInt(id.slice(8, 16), 16));
  }

  hasId(id: string): boolean {
    return this.has(Number.parseInt(id.slice(0, 8), 16), Number.parseInt(id.slice(8, 16), 16));
  }

  has(hi: number, lo: number): boolean {
    return this.#slot(hi, lo || 1) >= 0;
  }

  add(hi: number, lo: number): boolean {
    // (0, 0) marks an empty slot: an id whose low word is 0 is stored with 1 (one in 2^32).
    const low = lo || 1;
    if (this.#slot(hi, low) >= 0) return false;
    if ((this.#size + 1) * 2 > this.#table.length / 2) this.#grow();
    this.#insert(hi, low);
    this.#size += 1;
    return true;
  }

  /** Index of the pair, or -1. */
  #slot(hi: number, lo: number): number {
    const t = this.#table;
    const mask = t.length / 2 - 1;
    for (let i = (hi ^ lo) & mask; ; i = (i + 1) & mask) {
      const a = t[2 * i] as number;
      const b = t[2 * i + 1] as number;
      if (a === 0 && b === 0) return -1;
      if (a === hi && b === lo) return i;
    }
  }

  #insert(hi: number, lo: number): void {
    const t = this.#table;
    const mask = t.length / 2 - 1;
    let i = (hi ^ lo) & mask;
    while (t[2 * i] !== 0 || t[2 * i + 1] !== 0) i = (i + 1) & mask;
    t[2 * i] = hi;
    t[2 * i + 1] = lo;
  }

  #grow(): void {
    const old = this.#table;
    this.#table = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i] as number;
      const b = old[i + 1] as number;
      if (a !== 0 || b !== 0) this.#insert(a, b);
    }
  }

  /** The ids as 8-byte big-endian records after a magic header. */
  toBuffer(): Buffer {
    const out = Buffer.alloc(MAGIC.length + this.#size * 8);
    MAGIC.copy(out);
    let at = MAGIC.length;
    const t = this.#table;
    for (let i = 0; i < t.length; i += 2) {
      const a = t[i] as number;
      const b = t[i + 1] as number;
      if (a === 0 && b === 0) continue;
      out.writeUInt32BE(a, at);
      out.writeUInt32BE(b, at + 4);
      at += 8;
    }
    return out;
  }

  static fromBuffer(buf: Buffer, where: string): IdSet {
    if (
      buf.length < MAGIC.length ||
      !buf.subarray(0, MAGIC.length).equals(MAGIC) ||
      (buf.length - MAGIC.length) % 8 !== 0
    ) {
      throw new Error(`${where}: not an id file (bad header or length)`);
    }
    const n = (buf.length - MAGIC.length) / 8;
    const set = new IdSet(n);
    for (let at = MAGIC.length; at < buf.length; at += 8)
      set.add(buf.readUInt32BE(at), buf.readUInt32BE(at + 4));
    return set;
  }
}

/** The ids saved by the last complete poll; empty when there is none (first poll). */
export async function loadIds(file: string): Promise<IdSet> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return new IdSet();
    throw err;
  }
  return IdSet.fromBuffer(buf, file);
}

export async function saveIds(file: string, ids: IdSet): Promise<void> {
  await writeAtomic(file, ids.toBuffer());
}
