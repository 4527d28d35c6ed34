/**
 * The presets table of bots/feed/README.md, generated from the registry so it cannot go stale
 * (presets/table.test.ts compares the two). Regenerate after changing a preset:
 *
 *   npx tsx bots/feed/presets/table.ts --write
 *
 * Without --write the table is printed.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { ENTRY_KEYS } from "../mapping.js";
import type { FeedSpec } from "../types.js";
import { PRESET_LIST } from "./index.js";

export const README = fileURLToPath(new URL("../README.md", import.meta.url));
export const START = "<!-- presets:start -->";
export const END = "<!-- presets:end -->";
export const REGENERATE = "npx tsx bots/feed/presets/table.ts --write";

/** The keys a spec's events get: list entries by kind, mapped fields, constants. */
export function keysOf(spec: FeedSpec): string[] {
  const keys: string[] = [];
  if (spec.format.type === "list") {
    const kind = spec.format.kind ?? "auto";
    keys.push(...(kind === "auto" ? Object.values(ENTRY_KEYS) : [ENTRY_KEYS[kind]]));
  }
  for (const rule of Object.values(spec.map.fields)) {
    if (typeof rule === "string") keys.push(rule);
    else if (rule.groups) keys.push(...Object.values(rule.groups));
    else if (rule.key) keys.push(rule.key);
  }
  keys.push(...Object.keys(spec.map.constants ?? {}));
  return [...new Set(keys)];
}

const cell = (text: string): string => text.replaceAll("|", "\\|");

/** The Markdown table of every preset, by provider and name. */
export function presetsTable(): string {
  // By provider; a provider's presets stay in registry order (blocklist-de-all first, 1d 7d 30d).
  const provider = (s: FeedSpec) => s.provider.toLowerCase();
  const specs = [...PRESET_LIST].sort((a, b) =>
    provider(a) === provider(b) ? 0 : provider(a) < provider(b) ? -1 : 1,
  );
  const rows = specs.map((s) => [
    s.provider,
    `\`${s.name}\``,
    `<${s.url}>`,
    s.licence,
    keysOf(s)
      .map((k) => `\`${k}\``)
      .join(", "),
    s.type,
    s.interval,
  ]);
  return markdownTable(["provider", "preset", "URL", "licence", "keys", "type", "interval"], rows);
}

/** A table padded the way prettier formats one, so the README passes `prettier --check`. */
function markdownTable(head: string[], rows: string[][]): string {
  const all = [head, ...rows].map((r) => r.map(cell));
  const widths = head.map((_, i) => Math.max(3, ...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  const [first, ...rest] = all;
  return [line(first ?? []), rule, ...rest.map(line)].join("\n");
}

/** The table between the markers of a README, or undefined without the markers. */
export function tableIn(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + START.length, end).trim();
}

/** The README with `table` between the markers. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${README}: no ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--write")) {
    await writeFile(README, withTable(await readFile(README, "utf8"), presetsTable()));
  } else {
    process.stdout.write(presetsTable() + "\n");
  }
}
