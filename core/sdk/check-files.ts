/** For bots' check(params): named files that are not there, reported before anything starts. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { CheckProblem } from "./bot.js";

/** One problem per path (of each key) that does not exist; empty paths are skipped. */
export function missingFiles(files: Record<string, string | readonly string[]>): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const [key, value] of Object.entries(files)) {
    for (const path of typeof value === "string" ? [value] : value) {
      if (path === "" || existsSync(path)) continue;
      const full = resolve(path);
      const where = full === path ? "" : ` (${full}, relative to ${process.cwd()})`;
      out.push({ key, message: `no such file: ${path}${where}` });
    }
  }
  return out;
}
