// Damaged copies of fixture mails for the handlers' robustness tests: each mail cut short at
// 12 points and with one byte changed at 12 more. A handler may refuse any of them, but only
// with a MailError (where and what), never with a crash.
import { readdirSync, readFileSync } from "node:fs";
import { DEFAULT_LIMITS, MailError, type MailHandler } from "./handler.js";
import { parseMail } from "./parse.js";

/** The 24 damaged copies of `raw`; `bytes` are written in turn at the changed positions. */
export function damagedVariants(raw: Buffer, bytes: readonly number[]): Buffer[] {
  const variants: Buffer[] = [];
  for (let i = 1; i <= 12; i++) variants.push(raw.subarray(0, Math.floor((raw.length * i) / 13)));
  for (let i = 1; i <= 12; i++) {
    const copy = Buffer.from(raw);
    copy[Math.floor((raw.length * i) / 13)] = bytes[i % bytes.length] ?? 0;
    variants.push(copy);
  }
  return variants;
}

/**
 * Run `handler` on the damaged copies of every mail in `dir`; returns what it threw that was
 * not a MailError, as `<file> variant <n>: <error>` (empty when it kept the contract).
 */
export async function crashesOnDamage(
  handler: MailHandler,
  dir: URL,
  bytes: readonly number[],
): Promise<string[]> {
  const ctx = { limits: DEFAULT_LIMITS };
  const crashes: string[] = [];
  for (const name of readdirSync(dir)) {
    const variants = damagedVariants(readFileSync(new URL(name, dir)), bytes);
    for (const [n, variant] of variants.entries()) {
      const mail = await parseMail(variant, `${name} variant ${n}`);
      try {
        if (handler.match(mail)) await handler.read(mail, ctx);
      } catch (err) {
        if (!(err instanceof MailError)) crashes.push(`${name} variant ${n}: ${String(err)}`);
      }
    }
  }
  return crashes;
}
