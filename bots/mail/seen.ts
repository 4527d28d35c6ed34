/**
 * The mails whose events are out, so that a restart or a second delivery of the same mail
 * (same Message-ID, same body) never sends its events again. A bounded set of keys kept in a
 * file of the state dir: one line per key, appended and synced as each mail is done (never
 * before: DESIGN.md "Delivery"), rewritten with the newest `capacity` keys once it holds
 * twice that many.
 */
import { createHash } from "node:crypto";
import { appendFile, mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeAtomic } from "../../core/index.js";

/** 32 hex digits (128 bits of SHA-256): collisions are out of reach for any mailbox. */
const KEY = /^[0-9a-f]{32}$/;

/**
 * The key of a mail: its Message-ID and a hash of its body. The header block is left out
 * because a second delivery has other Received and Delivered-To lines; line ends are made
 * one kind because IMAP gives CRLF where a Maildir file may hold LF.
 */
export function mailKey(raw: Buffer, messageId: string | undefined): string {
  const text = raw.toString("latin1");
  const m = /\r?\n\r?\n/.exec(text);
  const body = m === null ? "" : text.slice(m.index + m[0].length);
  const bodyHash = createHash("sha256")
    .update(body.replace(/\r\n/g, "\n").trimEnd(), "latin1")
    .digest("hex");
  return createHash("sha256")
    .update(`${messageId ?? ""}\n${bodyHash}`)
    .digest("hex")
    .slice(0, 32);
}

export class SeenMails {
  readonly #keys = new Set<string>();
  #lines = 0;

  private constructor(
    readonly file: string,
    readonly capacity: number,
  ) {}

  /** Load the set from `file` (missing: empty); lines that are not keys are skipped. */
  static async open(file: string, capacity = 100_000): Promise<SeenMails> {
    const seen = new SeenMails(file, Math.max(1, capacity));
    await mkdir(dirname(file), { recursive: true });
    let text = "";
    try {
      text = await readFile(file, "latin1");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const lines = text.split("\n").filter((l) => KEY.test(l));
    // Only the newest keys count: the file may hold up to twice the capacity.
    for (const key of lines.slice(-seen.capacity)) seen.#remember(key);
    seen.#lines = lines.length;
    // A crash mid-append can leave a torn last line: the next append must not join it.
    if (text.length > 0 && !text.endsWith("\n")) await seen.#compact();
    return seen;
  }

  get size(): number {
    return this.#keys.size;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Record keys durably (appended and synced); resolves once they survive a crash. */
  async add(...keys: string[]): Promise<void> {
    const fresh = keys.filter((k) => KEY.test(k) && !this.#keys.has(k));
    if (fresh.length === 0) return;
    for (const key of fresh) this.#remember(key);
    this.#lines += fresh.length;
    if (this.#lines >= 2 * this.capacity) {
      await this.#compact();
      return;
    }
    await appendFile(this.file, fresh.map((k) => `${k}\n`).join(""));
    const fh = await open(this.file, "r");
    try {
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  #remember(key: string): void {
    // Oldest first (a Set keeps insertion order): drop from the front when full.
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.capacity) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }

  async #compact(): Promise<void> {
    const text = [...this.#keys].map((k) => `${k}\n`).join("");
    await writeAtomic(this.file, text);
    this.#lines = this.#keys.size;
  }
}
