/** Problems as lines a user reads in a terminal, like a compiler's: errors first. */
import path from "node:path";
import type { ConfigProblem } from "./types.js";

export interface FormatOptions {
  /** Files are shown relative to this folder (default: the current directory). */
  cwd?: string;
}

/** `error: config/demo.yaml:12: bots[2] (id drop): params.url: expected a URL, got "x"` */
export function formatProblems(
  problems: readonly ConfigProblem[],
  opts: FormatOptions = {},
): string {
  const cwd = opts.cwd ?? process.cwd();
  const ordered = [
    ...problems.filter((p) => p.level === "error"),
    ...problems.filter((p) => p.level !== "error"),
  ];
  return ordered.map((p) => formatProblem(p, cwd)).join("\n");
}

function formatProblem(p: ConfigProblem, cwd: string): string {
  const file =
    p.file === "" ? "" : showFile(p.file, cwd) + (p.line === undefined ? "" : `:${p.line}`);
  const parts = [p.level, file, p.where, p.key ?? ""].filter((part) => part !== "");
  return `${parts.join(": ")}: ${p.message}`;
}

function showFile(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

/** `2 errors, 1 warning` for the last line of a check. */
export function summarizeProblems(problems: readonly ConfigProblem[]): string {
  const errors = problems.filter((p) => p.level === "error").length;
  const warnings = problems.length - errors;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
