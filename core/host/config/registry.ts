/**
 * Finds the bots: `bots/<name>/<name>.ts` and `bots/contrib/<name>/<name>.ts`, each exporting a
 * `defineBot({ name: "<name>", ... })`. Core never imports bots statically; this is the one
 * place they are loaded, so a broken bot shows up as a problem and not as a crash of the mesh.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BotDefinition } from "../../sdk/bot.js";
import { nearest } from "./fields.js";
import type { BotRegistry, ConfigProblem } from "./types.js";

interface Candidate {
  name: string;
  file: string;
}

export async function loadRegistry(rootDir: string): Promise<BotRegistry> {
  const candidates = [
    ...(await scan(path.join(rootDir, "bots"), ["contrib"])),
    ...(await scan(path.join(rootDir, "bots", "contrib"), [])),
  ];
  // Import in parallel, register in scan order so duplicates resolve the same way every time.
  const loaded = await Promise.all(candidates.map(load));
  const bots = new Map<string, { def: BotDefinition; file: string }>();
  const problems: ConfigProblem[] = [];
  loaded.forEach((result, i) => {
    const { name, file } = candidates[i] as Candidate;
    if (typeof result === "string") {
      problems.push({ level: "error", file, where: botWhere(name), message: result });
      return;
    }
    const earlier = bots.get(name);
    if (earlier !== undefined) {
      const message = `bot ${name} is also defined in ${earlier.file}: rename one of them (this one is ignored)`;
      problems.push({ level: "error", file, where: botWhere(name), message });
      return;
    }
    bots.set(name, { def: result, file });
  });
  return Object.assign(bots, { problems });
}

export function findBot(
  registry: BotRegistry,
  name: string,
): { def: BotDefinition; file: string } | undefined {
  return registry.get(name);
}

/** Why `name` is not in the registry, said so the user can act on it. */
export function registryTrouble(registry: BotRegistry, name: string): string {
  const broken = registry.problems?.find((p) => p.where === botWhere(name));
  if (broken !== undefined)
    return `bot ${name} could not be loaded from ${broken.file}: ${broken.message}`;
  const known = [...registry.keys()].sort();
  const near = nearest(name, known);
  const hint = near === undefined ? "" : `did you mean ${near}? `;
  return `unknown bot ${name}: ${hint}known bots are ${known.join(", ") || "none"} (bots/<name>/<name>.ts or bots/contrib/<name>/<name>.ts)`;
}

export function botWhere(name: string): string {
  return `bot ${name}`;
}

async function scan(dir: string, skip: readonly string[]): Promise<Candidate[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const names = entries
    .filter((e) => e.isDirectory() && !skip.includes(e.name) && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  const found: Candidate[] = [];
  for (const name of names) {
    const file = path.join(dir, name, `${name}.ts`);
    const inside = await readdir(path.join(dir, name));
    // A folder without <name>.ts holds helpers, not a bot.
    if (inside.includes(`${name}.ts`)) found.push({ name, file });
  }
  return found;
}

/** The module's definition named like its folder, or why there is none. */
async function load({ name, file }: Candidate): Promise<BotDefinition | string> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    return `failed to import: ${err instanceof Error ? err.message : String(err)}`;
  }
  const defs = Object.values(mod).filter(isBotDefinition);
  const def = defs.find((d) => d.name === name);
  if (def !== undefined) return def;
  const others = defs.map((d) => d.name).join(", ");
  return (
    `exports no bot named ${name}` +
    (others
      ? ` (found ${others}; the folder and the bot's name must match)`
      : `: export const x = defineBot({ name: "${name}", ... })`)
  );
}

function isBotDefinition(value: unknown): value is BotDefinition {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["name"] === "string" &&
    typeof v["kind"] === "string" &&
    typeof v["description"] === "string" &&
    v["params"] !== null &&
    typeof v["params"] === "object"
  );
}
