import { loadMeshConfig } from "../config/load.js";
import { loadRegistry } from "../config/registry.js";
import { formatProblems } from "../config/describe.js";
import type { MeshConfig } from "../config/types.js";
import { projectRoot } from "../runtime/paths.js";
import { CliError } from "./errors.js";

export const DEFAULT_CONFIG = "config/demo.yaml";

/** Load and validate the config; print warnings; throw a CliError listing every error. */
export async function loadChecked(file: string): Promise<MeshConfig> {
  const registry = await loadRegistry(projectRoot());
  const { config, problems } = await loadMeshConfig(file, { env: process.env, registry });
  const errors = problems.filter((p) => p.level === "error");
  const warnings = problems.filter((p) => p.level === "warning");
  if (warnings.length > 0) process.stderr.write(formatProblems(warnings) + "\n");
  if (errors.length > 0 || config === undefined) {
    throw new CliError(`config has ${errors.length} error(s):\n${formatProblems(errors)}`);
  }
  return config;
}
