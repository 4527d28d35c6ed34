/** Checks over the whole roomgraph: loops, duplicates, routes from rooms nobody fills. */
import { nearest } from "../../sdk/suggest.js";
import { appliesRoutes } from "./check-bots.js";
import type { RouteEntry } from "./check-roomgraph.js";
import type { ProblemList } from "./problems.js";
import { roomKey } from "./rooms.js";
import type { InstanceConfig } from "./types.js";

export interface Cycle {
  /** Room names as written, first room repeated at the end: `raw → a → raw`. */
  rooms: string[];
  /** Indexes (into the list given) of the routes along the cycle. */
  routes: number[];
}

/**
 * Every cycle closed by a back edge of a depth-first search over from → to, in route order, so
 * the output is stable. A cycle would send each event round forever.
 */
export function findCycles(
  edges: readonly { from: string; to: string }[],
  key: (room: string) => string = (r) => r,
): Cycle[] {
  const out = new Map<string, { to: string; edge: number }[]>();
  const names = new Map<string, string>();
  edges.forEach((e, edge) => {
    const [from, to] = [key(e.from), key(e.to)];
    if (!names.has(from)) names.set(from, e.from);
    if (!names.has(to)) names.set(to, e.to);
    out.set(from, [...(out.get(from) ?? []), { to, edge }]);
  });
  const state = new Map<string, "active" | "done">();
  const stack: { room: string; via: number }[] = [];
  const cycles: Cycle[] = [];
  const visit = (room: string, via: number): void => {
    state.set(room, "active");
    stack.push({ room, via });
    for (const { to, edge } of out.get(room) ?? []) {
      if (state.get(to) === "active") {
        const start = stack.findIndex((s) => s.room === to);
        const along = stack.slice(start);
        cycles.push({
          rooms: [...along.map((s) => names.get(s.room) ?? s.room), names.get(to) ?? to],
          routes: [...along.slice(1).map((s) => s.via), edge],
        });
      } else if (!state.has(to)) {
        visit(to, edge);
      }
    }
    stack.pop();
    state.set(room, "done");
  };
  for (const room of out.keys()) if (!state.has(room)) visit(room, -1);
  return cycles;
}

export interface RouteCheckContext {
  entries: readonly RouteEntry[];
  instances: readonly InstanceConfig[];
  muc: string | undefined;
  /** Whether an enabled roomgraph instance will apply the routes. */
  applied: boolean;
  configFile: string;
}

export function checkRoutes(ctx: RouteCheckContext, problems: ProblemList): void {
  const key = (room: string): string => roomKey(room, ctx.muc);
  const routes = ctx.entries.map((e) => e.route);
  for (const cycle of findCycles(routes, key)) {
    const indexes = cycle.routes.map((i) => ctx.entries[i]?.index ?? i);
    const last = indexes[indexes.length - 1] ?? 0;
    problems.error(
      ["routes", last],
      `route cycle ${cycle.rooms.join(" → ")}: events would loop forever; ` +
        `remove or redirect one of ${indexes.map((i) => `routes[${i}]`).join(", ")}`,
    );
  }
  const seen = new Map<string, number>();
  for (const { route, index, canonical } of ctx.entries) {
    const id = `${key(route.from)}\0${key(route.to)}\0${canonical ?? ""}`;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else
      problems.warn(
        ["routes", index],
        `same route as routes[${first}]: every event would be delivered twice; remove one`,
      );
  }
  const { written, guess } = writers(ctx);
  for (const { route, index } of ctx.entries) {
    if (written.has(key(route.from))) continue;
    problems.warn(
      ["routes", index, "from"],
      `no bot writes to ${route.from} and no route feeds it${guess(route.from)}, so this route carries nothing; check the room name or add a bot with out: ${route.from}`,
    );
  }
  if (routes.length > 0 && !ctx.applied) {
    problems.warn(
      ["routes"],
      `no enabled instance with bot: roomgraph in ${ctx.configFile}, so these routes won't be applied; add - { id: roomgraph, bot: roomgraph } to its bots:`,
    );
  }
}

/** Rooms some bot or route of the mesh writes, and a "did you mean" among them. */
function writers(ctx: RouteCheckContext) {
  const key = (room: string): string => roomKey(room, ctx.muc);
  const written = new Set<string>();
  for (const inst of ctx.instances)
    if (!appliesRoutes(inst)) for (const r of inst.out) written.add(key(r));
  for (const { route } of ctx.entries) written.add(key(route.to));
  const guess = (room: string): string => {
    const near = nearest(key(room), [...written]);
    return near === undefined ? "" : ` (did you mean ${near}?)`;
  };
  return { key, written, guess };
}

/**
 * A consumer reading a room nobody here writes, with a near name that is written: a typo,
 * unless people or another organisation's bots fill it (then ignore the warning).
 */
export function checkInputs(ctx: RouteCheckContext, problems: ProblemList): void {
  const { key, written, guess } = writers(ctx);
  ctx.instances.forEach((inst, i) => {
    if (appliesRoutes(inst) || !inst.enabled) return;
    for (const room of inst.in) {
      if (written.has(key(room)) || nearest(key(room), [...written]) === undefined) continue;
      problems.warn(
        ["bots", i, "in"],
        `${inst.id} reads ${room}, which no bot or route of this mesh writes${guess(room)}`,
      );
    }
  });
}
