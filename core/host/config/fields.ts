/** Small readers for config fields: each reports a wrong value and returns undefined. */
import { nearest } from "../../sdk/suggest.js";
import type { YamlPath } from "./env.js";
import { isRecord, type ProblemList } from "./problems.js";
import { isRoomName, ROOM_NAME_HELP } from "./rooms.js";

export function describeValue(raw: unknown): string {
  if (raw === null || raw === undefined) return "nothing";
  if (Array.isArray(raw)) return "a list";
  if (typeof raw === "object") return "a mapping";
  return `${typeof raw} ${JSON.stringify(raw)}`;
}

/** Report keys outside `known`, with a "did you mean" for a near miss. */
export function checkKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  path: YamlPath,
  problems: ProblemList,
): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    const hint = near === undefined ? "" : `did you mean ${near}? `;
    const message = `unknown key: ${hint}known keys are ${known.join(", ")}`;
    problems.error(
      [...path, key],
      message,
      path.length === 0 ? { where: "top level", key } : undefined,
    );
  }
}

export function readString(
  obj: Record<string, unknown>,
  key: string,
  path: YamlPath,
  problems: ProblemList,
  what: string,
): string | undefined {
  const raw = obj[key];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "number") return String(raw);
  if (typeof raw === "string" && raw.trim() !== "") return raw.trim();
  problems.error([...path, key], `expected ${what}, got ${describeValue(raw)}`);
  return undefined;
}

export function readBool(
  obj: Record<string, unknown>,
  key: string,
  path: YamlPath,
  problems: ProblemList,
  fallback: boolean,
): boolean {
  const raw = obj[key];
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === "boolean") return raw;
  // A `${FLAG}` always substitutes text; accept it when it spells a boolean.
  if (raw === "true" || raw === "false") return raw === "true";
  problems.error([...path, key], `expected true or false, got ${describeValue(raw)}`);
  return fallback;
}

/** A string or a list of strings, each checked by `valid`. */
export function readList(
  obj: Record<string, unknown>,
  key: string,
  path: YamlPath,
  problems: ProblemList,
  valid: (item: string) => string | undefined,
): string[] {
  const raw = obj[key];
  if (raw === undefined || raw === null) return [];
  const items: unknown[] = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(raw) ? [...path, key, i] : [...path, key];
    if (typeof item !== "string") {
      problems.error(at, `expected a string, got ${describeValue(item)}`);
      return;
    }
    const trouble = valid(item);
    if (trouble !== undefined) problems.error(at, trouble);
    else if (!out.includes(item)) out.push(item);
  });
  return out;
}

export function roomNameTrouble(name: string): string | undefined {
  return isRoomName(name)
    ? undefined
    : `${JSON.stringify(name)} is not a room name: ${ROOM_NAME_HELP}`;
}

export function readMapping(
  obj: Record<string, unknown>,
  key: string,
  path: YamlPath,
  problems: ProblemList,
): Record<string, unknown> | undefined {
  const raw = obj[key];
  if (raw === undefined || raw === null) return undefined;
  if (isRecord(raw)) return raw;
  problems.error(
    [...path, key],
    `expected a mapping (key: value lines), got ${describeValue(raw)}`,
  );
  return undefined;
}

export { nearest };
