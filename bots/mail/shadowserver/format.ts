/**
 * A mapping as file text: one rule a line, columns as one string with the shared groups
 * written as `@group`, so a report reads as "the scan columns plus these" and a schema update
 * shows up in `git diff` as the few names that changed. The layout is the one prettier gives
 * JSON, so the shipped file passes the format check as written.
 */
import { genericKey, type ColumnRule, type Mapping, type ReportRule } from "./mapping.js";

/** A rule as written: the generic key and the text converter are left out. */
function ruleText(column: string, rule: ColumnRule): string {
  const parts: string[] = [];
  if (rule.key !== genericKey(column)) parts.push(`"key": ${JSON.stringify(rule.key)}`);
  if (rule.convert !== "text") parts.push(`"convert": ${JSON.stringify(rule.convert)}`);
  return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
}

function rulesText(rules: Record<string, ColumnRule>, indent: string): string {
  if (Object.keys(rules).length === 0) return "{}";
  const lines = Object.entries(rules).map(
    ([column, rule]) => `${indent}  ${JSON.stringify(column)}: ${ruleText(column, rule)}`,
  );
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/** Columns with every group they hold whole written as `@name` (largest group first). */
export function columnsText(columns: readonly string[], groups: Record<string, string[]>): string {
  let out: string[] = [...columns];
  const bySize = Object.entries(groups).sort(([, a], [, b]) => b.length - a.length);
  for (const [name, members] of bySize) {
    if (members.length === 0 || !members.every((m) => out.includes(m))) continue;
    const at = Math.min(...members.map((m) => out.indexOf(m)));
    const rest = out.filter((c) => !members.includes(c));
    rest.splice(Math.min(at, rest.length), 0, `@${name}`);
    out = rest;
  }
  return out.join(" ");
}

function reportText(r: ReportRule, groups: Record<string, string[]>): string {
  const i = "      ";
  const lines = [`${i}"feed": ${JSON.stringify(r.feed)}`];
  for (const field of ["classification", "category", "type"] as const) {
    const v = r[field];
    if (v !== undefined) lines.push(`${i}${JSON.stringify(field)}: ${JSON.stringify(v)}`);
  }
  if (r.set && Object.keys(r.set).length > 0) {
    const pairs = Object.entries(r.set).map(
      ([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`,
    );
    lines.push(`${i}"set": { ${pairs.join(", ")} }`);
  }
  lines.push(`${i}"columns": ${JSON.stringify(columnsText(r.columns, groups))}`);
  if (r.map && Object.keys(r.map).length > 0) lines.push(`${i}"map": ${rulesText(r.map, i)}`);
  if (r.url !== undefined) lines.push(`${i}"url": ${JSON.stringify(r.url)}`);
  return `{\n${lines.join(",\n")}\n    }`;
}

/** The file text of a mapping (what readMapping reads back as the same mapping). */
export function formatMapping(m: Mapping): string {
  const head = [`  "format": 1`, `  "source": ${JSON.stringify(m.source)}`];
  if (m.date !== undefined) head.push(`  "date": ${JSON.stringify(m.date)}`);
  // A group may use the groups before it (`event` is built of `src` and `dst`).
  const earlier: Record<string, string[]> = {};
  const groups = Object.entries(m.groups).map(([name, cols]) => {
    const line = `    ${JSON.stringify(name)}: ${JSON.stringify(columnsText(cols, earlier))}`;
    earlier[name] = cols;
    return line;
  });
  head.push(`  "groups": {\n${groups.join(",\n")}\n  }`);
  if (m.aliases && Object.keys(m.aliases).length > 0) {
    const aliases = Object.entries(m.aliases).map(
      ([from, to]) => `    ${JSON.stringify(from)}: ${JSON.stringify(to)}`,
    );
    head.push(`  "aliases": {\n${aliases.join(",\n")}\n  }`);
  }
  head.push(`  "common": ${rulesText(m.common, "  ")}`);
  const reports = Object.keys(m.reports)
    .sort()
    .map(
      (type) =>
        `    ${JSON.stringify(type)}: ${reportText(m.reports[type] as ReportRule, m.groups)}`,
    );
  head.push(`  "reports": {\n${reports.join(",\n")}\n  }`);
  return `{\n${head.join(",\n")}\n}\n`;
}
