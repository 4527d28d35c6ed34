import { defineBot, drop, to, type Event, type Output, type Route } from "../../core/index.js";

/** Routes compiled for one input room: where each event may go, with its counter name. */
export interface CompiledRoute {
  to: string;
  match: (event: Event) => boolean;
  label: string;
}

/** Group routes by their resolved input room, keeping declaration order. */
export function compileRoutes(
  routes: readonly Route[],
  resolve: (room: string) => string,
): Map<string, CompiledRoute[]> {
  const byRoom = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    const from = resolve(route.from);
    const list = byRoom.get(from) ?? [];
    const rule = route.rule;
    list.push({
      to: resolve(route.to),
      match: rule ? (ev) => rule.match(ev) : () => true,
      label: `route ${route.from} -> ${route.to}${route.ruleText ? ` [${route.ruleText}]` : ""}`,
    });
    byRoom.set(from, list);
  }
  return byRoom;
}

export const roomgraph = defineBot({
  name: "roomgraph",
  kind: "handler",
  description:
    "Routes events from room to room by the rules in rooms.yaml; never re-routes its own output.",
  params: {},
  needs: ["routes"],
  start(ctx) {
    const routes = ctx.routes ?? [];
    const compiled = compileRoutes(routes, (room) => ctx.resolveRoom(room));
    ctx.log.debug({ routes: routes.length }, "routes loaded");
    return {
      handle(event, meta) {
        const out: Output[] = [];
        const sent = new Set<string>();
        for (const route of compiled.get(meta.room) ?? []) {
          if (sent.has(route.to) || !route.match(event)) continue;
          sent.add(route.to);
          ctx.count(route.label);
          out.push(to(route.to, event));
        }
        return out.length > 0 ? out : drop("no route matched");
      },
    };
  },
});
