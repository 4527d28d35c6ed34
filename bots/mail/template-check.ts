/** Shape checks shared by the template loader and its fields: every problem told, none thrown. */
import { RE2JS } from "re2js";

/** Told of one problem: where in the template (`fields.ip[0].regex`) and what. */
export type Problems = (at: string, what: string) => void;

/** A compiled regex and its text (RE2: time linear in the mail, whatever the pattern). */
export interface Pattern {
  source: string;
  re: RE2JS;
}

/** Compile a template regex (case-insensitive, ^ and $ at line ends); undefined when absent. */
export function pattern(p: Problems, at: string, raw: unknown): Pattern | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw === "") {
    p(at, `expected a regex, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  try {
    return { source: raw, re: RE2JS.compile(raw, RE2JS.CASE_INSENSITIVE | RE2JS.MULTILINE) };
  } catch (err) {
    p(at, `not a regex RE2 takes (no lookaround or backreferences): ${(err as Error).message}`);
    return undefined;
  }
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function str(p: Problems, at: string, v: unknown, required: boolean): string | undefined {
  if (v === undefined) {
    if (required) p(at, "is required");
    return undefined;
  }
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  p(at, `expected a string, got ${JSON.stringify(v)}`);
  return undefined;
}

export function list(p: Problems, at: string, v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  const items = typeof v === "string" ? [v] : v;
  if (Array.isArray(items) && items.length > 0 && items.every((x) => typeof x === "string")) {
    return items;
  }
  p(at, `expected ${what}`);
  return undefined;
}

export function unknownKeys(
  p: Problems,
  at: string,
  obj: Record<string, unknown>,
  known: string[],
): void {
  const squash = (k: string) => k.toLowerCase().replace(/[\s_-]/g, "");
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => squash(k) === squash(key));
    p(
      `${at}${key}`,
      `unknown key${near ? ` (did you mean ${near}?)` : ` (known: ${known.join(", ")})`}`,
    );
  }
}
