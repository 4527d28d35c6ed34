/** "Did you mean": the nearest of a few known names to a misspelt one. */

/** The candidate within two edits of `word`, for "did you mean". */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  return candidates.find((c) => distance(c, word) <= 2);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
