/**
 * Load and check a mesh config and the roomgraph file it names. Every problem is collected
 * before anything connects, so one run of `startup.ts check` lists them all. The format is
 * described in config/README.md beside this file.
 */
import path from "node:path";
import { appliesRoutes, checkBots } from "./check-bots.js";
import { checkInputs } from "./route-checks.js";
import { checkMesh } from "./check-mesh.js";
import { checkRoomGraph, type RouteEntry } from "./check-roomgraph.js";
import { redactSecrets, type Env, type Substitution } from "./env.js";
import { isRecord, ProblemList } from "./problems.js";
import { checkRoutes } from "./route-checks.js";
import type { BotRegistry, ConfigProblem, MeshConfig, RoomGraph } from "./types.js";
import { readYamlFile } from "./yaml-file.js";

export interface LoadOptions {
  /** Environment for `${VAR}`; the caller passes process.env or a test's own. */
  env: Env;
  registry: BotRegistry;
}

export interface LoadResult {
  /** Present only when there is no error (warnings allowed). */
  config?: MeshConfig;
  problems: ConfigProblem[];
}

export async function loadMeshConfig(
  file: string,
  { env, registry }: LoadOptions,
): Promise<LoadResult> {
  const abs = path.resolve(file);
  const lists: ProblemList[] = [];
  const substitutions: Substitution[] = [];
  const finish = (config?: MeshConfig): LoadResult => {
    const problems = lists
      .flatMap((l) => l.items)
      .map((p) => ({ ...p, message: redactSecrets(p.message, substitutions) }));
    const ok = config !== undefined && problems.every((p) => p.level !== "error");
    return ok ? { config, problems } : { problems };
  };

  const mesh = await readYamlFile(abs, env);
  lists.push(mesh.problems);
  substitutions.push(...mesh.substitutions);
  if (mesh.readError !== undefined) {
    mesh.problems.error([], `cannot read the config: ${mesh.readError}`, { where: "file" });
  }
  if (mesh.value === undefined) return finish();
  if (!isRecord(mesh.value)) {
    mesh.problems.error([], "expected a mapping of settings (xmpp:, lobby:, rooms:, bots:, ...)");
    return finish();
  }
  const settings = checkMesh(abs, mesh.value, mesh.problems);

  let graph: RoomGraph = { file: "", rooms: {}, routes: [] };
  let entries: RouteEntry[] = [];
  let graphProblems = new ProblemList("");
  if (settings.roomsFile !== undefined) {
    const rooms = await readYamlFile(settings.roomsFile, env);
    graphProblems = rooms.problems;
    lists.push(graphProblems);
    substitutions.push(...rooms.substitutions);
    if (rooms.readError !== undefined) {
      mesh.problems.error(
        ["rooms"],
        `cannot read ${settings.roomsFile}: ${rooms.readError}; fix the path (relative to this file)`,
      );
    } else {
      ({ graph, entries } = checkRoomGraph(settings.roomsFile, rooms.value, graphProblems));
    }
  }

  const instances = checkBots(
    settings.bots,
    { registry, xmpp: settings.xmpp, graph },
    mesh.problems,
  );
  const routeCtx = {
    entries,
    instances,
    muc: settings.xmpp?.mode === "managed" ? undefined : settings.xmpp?.muc,
    applied: instances.some((inst) => appliesRoutes(inst) && inst.enabled),
    configFile: path.basename(abs),
  };
  checkRoutes(routeCtx, graphProblems);
  checkInputs(routeCtx, mesh.problems);
  lists.push(unusedBrokenBots(registry, new Set(instances.map((i) => i.bot))));

  if (settings.xmpp === undefined) return finish();
  return finish({
    file: abs,
    xmpp: settings.xmpp,
    stateDir: settings.stateDir,
    lobby: settings.lobby,
    admins: settings.admins,
    roomgraph: graph,
    instances,
    defaultRoom: { form: settings.defaultForm },
    messageBytes: settings.messageBytes,
    ...(settings.couchdb === undefined ? {} : { couchdb: settings.couchdb }),
  });
}

/**
 * A bot module that failed to load but that this config does not use, or a second definition
 * of a bot that loaded: worth a warning (someone broke it), not a refusal to run. A used bot
 * that is missing is already an error at its instance.
 */
function unusedBrokenBots(registry: BotRegistry, used: Set<string>): ProblemList {
  const list = new ProblemList("");
  for (const p of registry.problems ?? []) {
    const name = p.where.replace(/^bot /, "");
    if (!used.has(name) || registry.has(name)) list.items.push({ ...p, level: "warning" });
  }
  return list;
}
