/** The roomgraph file (rooms.yaml): per-room settings and routes with optional rules. */
import path from "node:path";
import { readForm } from "./check-mesh.js";
import { checkKeys, describeValue, roomNameTrouble } from "./fields.js";
import { isRecord, type ProblemList } from "./problems.js";
import { checkRule } from "./rule-check.js";
import type { RoomGraph, RoomSettings, Route } from "./types.js";

/** A route and its index in the file's `routes:` list, for problem paths. */
export interface RouteEntry {
  route: Route;
  index: number;
  /** Canonical rule text (or the text as written when it did not parse). */
  canonical?: string;
}

export interface CheckedRoomGraph {
  graph: RoomGraph;
  entries: RouteEntry[];
}

export function checkRoomGraph(
  file: string,
  raw: unknown,
  problems: ProblemList,
): CheckedRoomGraph {
  const graph: RoomGraph = { file, rooms: {}, routes: [] };
  const entries: RouteEntry[] = [];
  if (raw === undefined || raw === null) return { graph, entries };
  if (!isRecord(raw)) {
    problems.error([], `expected a mapping with rooms: and routes:, got ${describeValue(raw)}`);
    return { graph, entries };
  }
  checkKeys(raw, ["rooms", "routes"], [], problems);
  graph.rooms = readRooms(raw["rooms"], problems);
  const routes = raw["routes"];
  if (routes !== undefined && routes !== null && !Array.isArray(routes)) {
    problems.error(
      ["routes"],
      `expected a list of routes (- from: raw), got ${describeValue(routes)}`,
    );
  } else {
    (routes ?? []).forEach((item: unknown, index: number) => {
      const entry = readRoute(file, item, index, problems);
      if (entry !== undefined) entries.push(entry);
    });
  }
  graph.routes = entries.map((e) => e.route);
  return { graph, entries };
}

function readRooms(raw: unknown, problems: ProblemList): Record<string, RoomSettings> {
  const rooms: Record<string, RoomSettings> = {};
  if (raw === undefined || raw === null) return rooms;
  if (!isRecord(raw)) {
    problems.error(
      ["rooms"],
      `expected a mapping of room name to settings, got ${describeValue(raw)}`,
    );
    return rooms;
  }
  for (const [name, settings] of Object.entries(raw)) {
    const trouble = roomNameTrouble(name);
    if (trouble !== undefined)
      problems.error(["rooms", name], trouble, { where: "rooms", key: name });
    if (settings !== null && !isRecord(settings)) {
      problems.error(
        ["rooms", name],
        `expected settings like { form: legacy }, got ${describeValue(settings)}`,
        { where: `rooms.${name}` },
      );
      continue;
    }
    const given = settings ?? {};
    checkKeys(given, ["form"], ["rooms", name], problems);
    rooms[name] = { form: readForm(given["form"], ["rooms", name, "form"], problems) };
  }
  return rooms;
}

function readRoute(
  file: string,
  raw: unknown,
  index: number,
  problems: ProblemList,
): RouteEntry | undefined {
  const at = ["routes", index];
  if (!isRecord(raw)) {
    problems.error(
      at,
      `expected a route like { from: raw, to: alerts, rule: "type = scanner" }, got ${describeValue(raw)}`,
    );
    return undefined;
  }
  checkKeys(raw, ["from", "to", "rule"], at, problems);
  const from = readRoom(raw, "from", index, problems);
  const to = readRoom(raw, "to", index, problems);
  const where = `${path.basename(file)} routes[${index}]`;
  const ruleRaw = raw["rule"];
  let ruleText: string | undefined;
  let rule: Route["rule"];
  let canonical: string | undefined;
  if (typeof ruleRaw === "string" && ruleRaw.trim() !== "") {
    ruleText = ruleRaw.trim();
    const check = checkRule(ruleText);
    for (const warning of check.warnings) problems.warn([...at, "rule"], warning);
    if (check.error !== undefined) problems.error([...at, "rule"], check.error);
    rule = check.rule;
    canonical = check.canonical ?? ruleText;
  } else if (ruleRaw !== undefined && ruleRaw !== null) {
    // YAML turns an unquoted `rule: 64496` or `rule: true` into a number or boolean.
    problems.error(
      [...at, "rule"],
      `expected rule text, got ${describeValue(ruleRaw)}; quote it: rule: "..."`,
    );
  }
  if (from === undefined || to === undefined) return undefined;
  const route: Route = { from, to, where };
  if (ruleText !== undefined) route.ruleText = ruleText;
  if (rule !== undefined) route.rule = rule;
  return { route, index, ...(canonical === undefined ? {} : { canonical }) };
}

function readRoom(
  raw: Record<string, unknown>,
  key: "from" | "to",
  index: number,
  problems: ProblemList,
): string | undefined {
  const value = raw[key];
  if (typeof value !== "string" || value.trim() === "") {
    const message =
      value === undefined || value === null
        ? `a route needs ${key}: the room events ${key === "from" ? "come from" : "go to"}`
        : `expected a room name, got ${describeValue(value)}`;
    problems.error(["routes", index, key], message);
    return undefined;
  }
  const trouble = roomNameTrouble(value.trim());
  if (trouble === undefined) return value.trim();
  problems.error(["routes", index, key], trouble);
  return undefined;
}
