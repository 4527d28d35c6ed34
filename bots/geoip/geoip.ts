import {
  defineBot,
  drop,
  Event,
  expertOutput,
  expertParams,
  param,
  parseAddr,
  type BotContext,
  missingFiles,
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

/** The facts for every address in the event's `keys`; addresses without a record add nothing. */
export function lookupAll(db: GeoDatabase, event: Event, ctx: Ctx): Event {
  const added = new Event();
  for (const key of ctx.params.keys) {
    for (const value of event.values(key)) {
      if (parseAddr(value) === null) {
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

/** Reload a changed database; a replacement that does not load is warned about, the old stays. */
async function refresh(ctx: Ctx, db: GeoDatabase): Promise<void> {
  try {
    if (await db.refresh()) {
      ctx.count("reloads");
      ctx.log.info({ database: db.path, type: db.type }, "database reloaded");
    }
  } catch (err) {
    ctx.count("errors");
    ctx.warn(`${(err as Error).message}; still using the previous copy`);
  }
}

/** AbuseHelper geoipexpert: country, city and coordinates of addresses from a local database. */
export const geoip = defineBot({
  name: "geoip",
  check: (p) => missingFiles({ database: p.database }),
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
    // ctx.every never overlaps runs, so a big database loading past the interval is fine.
    const every = ctx.params.check_interval;
    if (every > 0) ctx.every(every, () => refresh(ctx, db));
    ctx.log.info({ database: db.path, type: db.type }, "database open");
    return {
      handle(event) {
        const out = expertOutput(event, lookupAll(db, event, ctx), ctx.params);
        return out ?? drop("no facts");
      },
    };
  },
});
