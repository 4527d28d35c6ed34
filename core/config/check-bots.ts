/** The `bots:` list: each instance's bot, rooms and params, checked against the registry. */
import { parseParams } from "../params.js";
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

const INSTANCE_KEYS = ["id", "bot", "out", "in", "params", "catch_up", "enabled", "password"];
const ID = /^[a-z0-9][a-z0-9_.-]*$/;
/** The bot that applies rooms.yaml: it gets its rooms and routes from there. */
export const ROOMGRAPH_BOT = "roomgraph";

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
  const graphs = instances.filter((inst) => inst.bot === ROOMGRAPH_BOT && inst.enabled);
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
    catchUp: readBool(raw, "catch_up", at, problems, false),
    enabled: readBool(raw, "enabled", at, problems, true),
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
  if (botName === ROOMGRAPH_BOT) fillRoomGraph(raw, inst, at, ctx.graph, problems);
  else checkRooms(raw, inst, entry.def.kind, at, problems);
  const { values, problems: paramProblems } = parseParams(entry.def.params, inst.params);
  for (const p of paramProblems) problems.error([...at, "params", p.key], p.message);
  inst.params = values;
  return inst;
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
  inst.params = { ...inst.params, routes: graph.routes };
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
  if (inst.catchUp && xmpp.mode === "managed" && !xmpp.mam) {
    problems.warn(
      [...at, "catch_up"],
      "catch_up reads the room archive, which xmpp.mam: false turns off; set mam: true",
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
