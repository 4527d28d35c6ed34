import { isIP } from "node:net";
import {
  defineBot,
  Event,
  expertOutput,
  expertParams,
  param,
  type BotContext,
} from "../../core/index.js";
import { GeoDatabase } from "./database.js";

const params = {
  database: param.string({
    help: "Path to a MaxMind-format database (.mmdb): GeoLite2/GeoIP2 City or Country, DB-IP lite",
  }),
  keys: param.list({ help: "Keys whose values are IP addresses to look up", default: ["ip"] }),
  check_interval: param.duration({
    help: "How often to look whether the database file changed, and reload it (0: never)",
    default: 60_000,
  }),
  ...expertParams,
};

type Ctx = BotContext<typeof params>;

interface Running {
  db: GeoDatabase;
  timer: NodeJS.Timeout | undefined;
  /** A check is under way (loading a big database can outlast the interval). */
  busy: boolean;
}

const running = new WeakMap<Ctx, Running>();

/** The facts for every address in the event's `keys`; addresses without a record add nothing. */
export function lookupAll(db: GeoDatabase, event: Event, ctx: Ctx): Event {
  const added = new Event();
  for (const key of ctx.params.keys) {
    for (const value of event.values(key)) {
      if (isIP(value) === 0) {
        ctx.count("not an ip");
        continue;
      }
      const facts = db.lookup(value);
      ctx.count(facts.size === 0 ? "no record" : "found");
      for (const [k, values] of facts.entries()) added.update(k, values);
    }
  }
  return added;
}

async function refresh(ctx: Ctx, state: Running): Promise<void> {
  if (state.busy) return;
  state.busy = true;
  const { db } = state;
  try {
    if (await db.refresh()) {
      ctx.count("reloads");
      ctx.log.info({ database: db.path, type: db.type }, "database reloaded");
    }
  } catch (err) {
    ctx.count("errors");
    ctx.warn(`${(err as Error).message}; still using the previous copy`);
  } finally {
    state.busy = false;
  }
}

/** AbuseHelper geoipexpert: country, city and coordinates of addresses from a local database. */
export const geoip = defineBot({
  name: "geoip",
  kind: "handler",
  description:
    "Adds cc, city, latitude and longitude for IP addresses from a MaxMind-format (.mmdb) database.",
  params,
  async start(ctx) {
    const db = await GeoDatabase.open(ctx.params.database);
    if (!/city|country/i.test(db.type)) {
      ctx.warn(
        `${ctx.params.database} is a ${db.type} database; geoip reads City or Country records`,
      );
    }
    const state: Running = { db, timer: undefined, busy: false };
    const every = ctx.params.check_interval;
    if (every > 0) state.timer = setInterval(() => void refresh(ctx, state), every).unref();
    running.set(ctx, state);
    ctx.log.info({ database: db.path, type: db.type }, "database open");
  },
  stop(ctx) {
    clearInterval(running.get(ctx)?.timer);
    running.delete(ctx);
  },
  handle(event, ctx) {
    const state = running.get(ctx);
    if (state === undefined) throw new Error("geoip: handle() before start()");
    return expertOutput(event, lookupAll(state.db, event, ctx), ctx.params);
  },
});
