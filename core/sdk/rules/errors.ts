/** Longest stretch of rule text quoted in an error message; longer rules are cut around the spot. */
const EXCERPT = 60;

/**
 * A rule that does not parse. `position` is 1-based (the first character is 1), as printed in
 * the message; `expected` says what the parser wanted there, e.g. "a value after '='"; `hint`,
 * when there is one, how to write what was probably meant (it ends the message).
 */
export class RuleSyntaxError extends Error {
  override readonly name = "RuleSyntaxError";

  constructor(
    readonly text: string,
    readonly position: number,
    readonly expected: string,
    readonly hint = "",
  ) {
    super(
      `rule: expected ${expected} at position ${position}: ${excerpt(text, position)}` +
        (hint === "" ? "" : `; ${hint}`),
    );
  }
}

/** Throw a RuleSyntaxError for a 0-based offset into `text`. */
export function fail(text: string, offset: number, expected: string, hint = ""): never {
  throw new RuleSyntaxError(text, offset + 1, expected, hint);
}

function excerpt(text: string, position: number): string {
  if (text.length <= EXCERPT) return JSON.stringify(text);
  const start = Math.max(0, Math.min(position - EXCERPT / 2, text.length - EXCERPT));
  const cut = text.slice(start, start + EXCERPT);
  return `${start > 0 ? "…" : ""}${JSON.stringify(cut)}${start + EXCERPT < text.length ? "…" : ""}`;
}
