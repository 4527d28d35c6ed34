/**
 * What changed between two mappings, as lines a person reads after a schema update: report
 * types added and removed, and per report its feed name, classification, category and type,
 * columns added, removed or renamed, and columns whose key or converter changed.
 */
import { ruleFor, type ColumnRule, type Mapping, type ReportRule } from "./mapping.js";

const ruleText = (r: ColumnRule) =>
  `${r.key === null ? "dropped" : JSON.stringify(r.key)} (${r.convert})`;

/** Columns of a report that went away and came in with the same non-generic key: renamed. */
function renames(
  gone: string[],
  came: string[],
  keyOf: (side: "old" | "new", column: string) => string | null,
): [string, string][] {
  const out: [string, string][] = [];
  for (const from of gone) {
    const key = keyOf("old", from);
    if (key === null) continue;
    const to = came.find((c) => keyOf("new", c) === key && !out.some(([, t]) => t === c));
    if (to !== undefined) out.push([from, to]);
  }
  return out;
}

function reportChanges(
  type: string,
  a: Mapping,
  ra: ReportRule,
  b: Mapping,
  rb: ReportRule,
): string[] {
  const out: string[] = [];
  const was = (field: keyof ReportRule, label: string) => {
    const x = ra[field];
    const y = rb[field];
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      out.push(`  ${label}: ${JSON.stringify(x) ?? "none"} → ${JSON.stringify(y) ?? "none"}`);
    }
  };
  was("feed", "feed");
  was("classification", "Shadowserver classification");
  was("category", "category");
  was("type", "type");
  was("set", "keys set");
  const gone = ra.columns.filter((c) => !rb.columns.includes(c));
  const came = rb.columns.filter((c) => !ra.columns.includes(c));
  // A rename keeps a column's meaning: the same key under a new name (src_ip → source_ip).
  const generic = (m: Mapping, r: ReportRule, c: string) => {
    const rule = ruleFor(m, r, c);
    return rule.key !== null && (r.map?.[c] !== undefined || m.common[c] !== undefined)
      ? rule.key
      : null;
  };
  const renamed = renames(gone, came, (side, c) =>
    side === "old" ? generic(a, ra, c) : generic(b, rb, c),
  );
  for (const [from, to] of renamed) out.push(`  column renamed: ${from} → ${to}`);
  const gone2 = gone.filter((c) => !renamed.some(([f]) => f === c));
  const came2 = came.filter((c) => !renamed.some(([, t]) => t === c));
  if (came2.length > 0) out.push(`  columns added: ${came2.join(", ")}`);
  if (gone2.length > 0) out.push(`  columns removed: ${gone2.join(", ")}`);
  for (const c of rb.columns.filter((c) => ra.columns.includes(c))) {
    const x = ruleFor(a, ra, c);
    const y = ruleFor(b, rb, c);
    if (x.key !== y.key || x.convert !== y.convert) {
      out.push(`  column ${c}: ${ruleText(x)} → ${ruleText(y)}`);
    }
  }
  return out.length === 0 ? [] : [`~ ${type}`, ...out];
}

/** The changes from `a` to `b`, one per line; empty when the reports are the same. */
export function diffMappings(a: Mapping, b: Mapping): string[] {
  const out: string[] = [];
  const types = [...new Set([...Object.keys(a.reports), ...Object.keys(b.reports)])].sort();
  for (const type of types) {
    const ra = a.reports[type];
    const rb = b.reports[type];
    if (!ra && rb) out.push(`+ ${type} (${rb.feed}): ${rb.columns.length} columns`);
    else if (ra && !rb) out.push(`- ${type} (${ra.feed})`);
    else if (ra && rb) out.push(...reportChanges(type, a, ra, b, rb));
  }
  return out;
}
