/** The `bots:` list: each instance's bot, rooms and params, checked against the registry. */
import { parseDuration, parseParams } from "../../sdk/params.js";
import {
  checkKeys,
  describeValue,
  readBool,
  readList,
  readMapping,
  readString,
  roomNameTrouble,
} from "./fields.js";
import { isRecord, type ProblemList } from "./problems.js";
import { registryTrouble } from "./registry.js";
import type { BotRegistry, InstanceConfig, RoomGraph, XmppConfig } from "./types.js";

const INSTANCE_KEYS = [
  "id",
  "bot",
  "out",
  "in",
  "params",
  "catch_up",
  "bad_values",
  "enabled",
  "password",
];
const ID = /^[a-z0-9][a-z0-9_.-]*$/;
/** The instance applies rooms.yaml's routes: its bot declares `needs: ["routes"]`. */
export function appliesRoutes(inst: InstanceConfig): boolean {
  return inst.needs.includes("routes");
}

/** How far back a consumer reads its rooms' archives on its first start (catch_up: true). */
export const DEFAULT_CATCH_UP_MS = 86_400_000;

export interface BotsContext {
  registry: BotRegistry;
  xmpp: XmppConfig | undefined;
  graph: RoomGraph;
}

export function checkBots(
  raws: readonly unknown[],
  ctx: BotsContext,
  problems: ProblemList,
): InstanceConfig[] {
  const ids = new Map<string, number>();
  const instances: InstanceConfig[] = [];
  const indexes = new Map<InstanceConfig, number>();
  raws.forEach((raw, i) => {
    const inst = checkInstance(raw, i, ctx, problems);
    if (inst === undefined) return;
    const first = ids.get(inst.id);
    if (first !== undefined) {
      problems.error(
        ["bots", i, "id"],
        `duplicate id ${inst.id} (also bots[${first}]): ids name XMPP accounts and nicks, so each must be unique`,
      );
    } else {
      ids.set(inst.id, i);
    }
    instances.push(inst);
    indexes.set(inst, i);
  });
  const graphs = instances.filter((inst) => appliesRoutes(inst) && inst.enabled);
  for (const extra of graphs.slice(1)) {
    const i = indexes.get(extra) ?? 0;
    problems.error(
      ["bots", i, "bot"],
      `a second enabled roomgraph instance would apply every route twice; keep one (the first is ${graphs[0]?.id ?? "?"})`,
    );
  }
  return instances;
}

function checkInstance(
  raw: unknown,
  i: number,
  ctx: BotsContext,
  problems: ProblemList,
): InstanceConfig | undefined {
  const at = ["bots", i];
  if (!isRecord(raw)) {
    problems.error(
      at,
      `expected a bot instance like { id: drop, bot: spamhaus-drop, out: feeds.drop }, got ${describeValue(raw)}`,
    );
    return undefined;
  }
  checkKeys(raw, INSTANCE_KEYS, at, problems);
  const id = readString(raw, "id", at, problems, "an id");
  if (id === undefined)
    problems.error(
      [...at, "id"],
      "needs id: a unique name like drop, also used as XMPP account and nick",
    );
  else if (!ID.test(id))
    problems.error(
      [...at, "id"],
      `${JSON.stringify(id)} is not a valid id: use lower case letters, digits, and _ . - after the first character`,
    );
  const botName = readString(raw, "bot", at, problems, "a bot name");
  if (botName === undefined)
    problems.error([...at, "bot"], "needs bot: the name of the bot to run, e.g. spamhaus-drop");
  const inst: InstanceConfig = {
    id: id ?? `#${i}`,
    bot: botName ?? "",
    params: readMapping(raw, "params", at, problems) ?? {},
    in: readList(raw, "in", at, problems, roomNameTrouble),
    out: readList(raw, "out", at, problems, roomNameTrouble),
    catchUp: readCatchUp(raw, at, problems),
    enabled: readBool(raw, "enabled", at, problems, true),
    needs: [],
    invalid: readInvalid(raw, at, problems),
  };
  const password = readString(raw, "password", at, problems, "a password");
  if (password !== undefined) inst.password = password;
  checkAccount(inst, at, ctx.xmpp, problems);
  if (botName === undefined) return inst;
  const entry = ctx.registry.get(botName);
  if (entry === undefined) {
    problems.error([...at, "bot"], registryTrouble(ctx.registry, botName));
    return inst;
  }
  const def = entry.def;
  inst.needs = def.needs ?? [];
  if (appliesRoutes(inst)) fillRoomGraph(raw, inst, at, ctx.graph, problems);
  else checkRooms(raw, inst, def.kind, at, problems);
  if (def.kind === "source") inst.catchUp = 0;
  const { values, problems: paramProblems } = parseParams(def.params, inst.params);
  for (const p of paramProblems) problems.error([...at, "params", p.key], p.message);
  inst.params = values;
  // Cross-parameter checks only on params that parsed: each problem is reported once.
  if (paramProblems.length === 0 && def.check) {
    try {
      for (const p of def.check(values)) {
        problems.error(p.key ? [...at, "params", p.key] : [...at, "params"], p.message);
      }
    } catch (err) {
      problems.error([...at, "params"], err instanceof Error ? err.message : String(err));
    }
  }
  return inst;
}

/** `bad_values: dead-letter | drop-value`: what a source does with an event's bad typed values. */
function readInvalid(
  raw: Record<string, unknown>,
  at: (string | number)[],
  problems: ProblemList,
): "dead-letter" | "drop-value" {
  const value = raw.bad_values ?? "dead-letter";
  if (value === "dead-letter" || value === "drop-value") return value;
  problems.error(
    [...at, "bad_values"],
    `expected dead-letter (keep the event aside) or drop-value (send it without the bad values), got ${JSON.stringify(value)}`,
  );
  return "dead-letter";
}

/** `catch_up: true | false | <max age>`: how far back a consumer's first start reads. */
function readCatchUp(
  raw: Record<string, unknown>,
  at: (string | number)[],
  problems: ProblemList,
): number {
  const value = raw.catch_up;
  if (value === undefined || value === true) return DEFAULT_CATCH_UP_MS;
  if (value === false) return 0;
  try {
    return parseDuration(value);
  } catch (err) {
    problems.error(
      [...at, "catch_up"],
      `expected true, false or a maximum age like 1d or 12h: ${(err as Error).message}`,
    );
    return DEFAULT_CATCH_UP_MS;
  }
}

/** in/out must match what the bot does: sources write, sinks read, handlers both. */
function checkRooms(
  raw: Record<string, unknown>,
  inst: InstanceConfig,
  kind: string,
  at: (string | number)[],
  problems: ProblemList,
): void {
  if (kind === "source" && given(raw, "in")) {
    problems.error([...at, "in"], `${inst.bot} is a source and reads no rooms: remove in:`);
  }
  if (kind !== "source" && !given(raw, "in")) {
    problems.error(
      [...at, "in"],
      `${inst.bot} is a ${kind} and reads events from rooms: add in: [room]`,
    );
  }
  if (kind !== "sink" && !given(raw, "out")) {
    problems.error(
      [...at, "out"],
      `${inst.bot} is a ${kind} and writes events to rooms: add out: room`,
    );
  }
  if (kind === "sink" && given(raw, "out")) {
    problems.warn([...at, "out"], `${inst.bot} is a sink and emits nothing: out: is ignored`);
  }
}

/** The roomgraph instance reads every route's from room and writes every to room. */
function fillRoomGraph(
  raw: Record<string, unknown>,
  inst: InstanceConfig,
  at: (string | number)[],
  graph: RoomGraph,
  problems: ProblemList,
): void {
  for (const key of ["in", "out"]) {
    if (raw[key] !== undefined)
      problems.error(
        [...at, key],
        `roomgraph takes its rooms from the routes in ${graph.file || "the rooms: file"}: remove ${key}:`,
      );
  }
  if (Object.hasOwn(inst.params, "routes")) {
    problems.error(
      [...at, "params", "routes"],
      `roomgraph takes its routes from ${graph.file || "the rooms: file"}: remove params.routes`,
    );
  }
  if (graph.file === "")
    problems.error(
      [...at, "bot"],
      "roomgraph needs the routes file: set rooms: ../rooms.yaml at the top level",
    );
  inst.in = unique(graph.routes.map((r) => r.from));
  inst.out = unique(graph.routes.map((r) => r.to));
}

function checkAccount(
  inst: InstanceConfig,
  at: (string | number)[],
  xmpp: XmppConfig | undefined,
  problems: ProblemList,
): void {
  if (xmpp === undefined) return;
  if (inst.password !== undefined && xmpp.mode !== "client") {
    problems.warn(
      [...at, "password"],
      `password is only used with xmpp mode client (this mesh uses ${xmpp.mode}): remove it`,
    );
  }
  if (xmpp.mode === "client" && xmpp.password === undefined && inst.password === undefined) {
    problems.error(
      [...at, "password"],
      `client mode needs a password: set password: \${VAR} here or xmpp.password for all bots`,
    );
  }
  if (inst.catchUp > 0 && xmpp.mode === "managed" && !xmpp.mam) {
    problems.warn(
      [...at, "catch_up"],
      "consumers catch up from the room archive, which xmpp.mam: false turns off: events sent while this bot is down are lost; set mam: true (or catch_up: false to accept that)",
    );
  }
}

/** Written with at least one item (an empty list counts as not written). */
function given(raw: Record<string, unknown>, key: string): boolean {
  const value = raw[key];
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
