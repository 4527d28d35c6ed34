/**
 * Counters a codec call adds to, so a bot can report what it repaired or dropped without the
 * codec ever throwing on bad data (DESIGN.md "never crash on a malformed stanza: count it, log
 * it once, and go on").
 */
export interface CodecStats {
  /** Characters replaced by U+FFFD because XML (or UTF-8) cannot carry them. */
  replacedChars: number;
  /** Elements or attributes skipped while decoding (missing attribute, bad base64 or UTF-8). */
  skipped: number;
  /** What the most recent skip was and where, for the one log line a receiver writes. */
  lastProblem?: string;
}

/** A fresh set of counters. */
export function createCodecStats(): CodecStats {
  return { replacedChars: 0, skipped: 0 };
}

/** Count one skipped element or attribute and remember why. */
export function noteSkip(stats: CodecStats | undefined, problem: string): void {
  if (stats === undefined) return;
  stats.skipped += 1;
  stats.lastProblem = problem;
}
