import { readFile } from "node:fs/promises";
import {
  defineBot,
  Event,
  expertOutput,
  expertParams,
  drop,
  param,
  parseAddr,
  watchFiles,
  type BotContext,
  missingFiles,
} from "../../core/index.js";
import { indexCustomers, type CustomerIndex } from "./customer-index.js";
import { parseCustomers, type Customer } from "./customers-file.js";

const params = {
  file: param.string({
    help: "Customers file: YAML (customers: [{id, name, abuse_email, report, format, networks, asns}]) or CSV (by extension)",
  }),
  keys: param.list({ help: "Keys holding IP addresses to match", default: ["ip"] }),
  asn_keys: param.list({
    help: "Keys holding AS numbers, matched when no address matches",
    default: ["asn"],
  }),
  outside: param.oneOf(["pass", "mark", "drop"] as const, {
    help: "Events outside every customer's networks: pass unchanged, mark with `own network = no`, or drop",
    default: "pass",
  }),
  ...expertParams,
  reload_check: param.duration({
    help: "How often the file is checked for changes (0: never)",
    default: 30_000,
  }),
};

type Ctx = BotContext<typeof params>;

/** Read and index the file; bad entries are reported and skipped, an unusable file throws. */
async function load(ctx: Ctx): Promise<CustomerIndex> {
  const file = ctx.params.file;
  const parsed = parseCustomers(file, await readFile(file, "utf8"));
  const index = indexCustomers(file, parsed);
  for (const problem of parsed.problems) ctx.log.warn({ file }, problem);
  if (parsed.problems.length > 0) {
    ctx.count("bad entries", parsed.problems.length);
    const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more)` : "";
    ctx.warn(`customers file: ${parsed.problems[0]}${more}`);
  }
  if (index.networks + index.asns === 0) throw new Error(`${file}: no usable network or AS number`);
  const { customers, networks, asns } = index;
  ctx.log.info({ file, customers, networks, asns }, "customers loaded");
  return index;
}

function factsOf(c: Customer): Event {
  const out = new Event({ "customer id": c.id });
  if (c.name) out.add("customer name", c.name);
  if (c.abuseEmail) out.add("abuse email", c.abuseEmail);
  if (c.report) out.add("report", c.report);
  if (c.format) out.add("report format", c.format);
  return out;
}

/** The customers owning the event: by address (longest match), else by AS number. */
function ownersOf(event: Event, ctx: Ctx, index: CustomerIndex): Map<string, Customer> {
  const owners = new Map<string, Customer>();
  for (const key of ctx.params.keys) {
    for (const value of event.valueSet(key) ?? []) {
      const a = parseAddr(value.trim());
      const c = a && index.byAddr(a);
      if (c) owners.set(c.id, c);
    }
  }
  if (owners.size > 0) return owners;
  for (const key of ctx.params.asn_keys) {
    for (const value of event.valueSet(key) ?? []) {
      const c = index.byAsn(value.trim());
      if (c) owners.set(c.id, c);
    }
  }
  return owners;
}

export const customer = defineBot({
  name: "customer",
  check: (p) => missingFiles({ file: p.file }),
  kind: "handler",
  description:
    "Adds the customer owning an event's IP address or AS (customer id, customer name, abuse email, report), from a YAML or CSV file; marks or drops events outside every own network.",
  params,
  async start(ctx) {
    const p = ctx.params;
    let index = await load(ctx);
    // The watcher has no timer of its own (0): ctx.every drives it, so checks never overlap
    // and stop with the bot.
    const watcher = await watchFiles(
      [p.file],
      0,
      async () => {
        index = await load(ctx);
      },
      (err) => {
        ctx.count("failed reloads");
        const why = err instanceof Error ? err.message : String(err);
        ctx.warn(`customers file reload failed, the customers in use stay: ${why}`);
      },
    );
    if (p.reload_check > 0) ctx.every(p.reload_check, () => watcher.check());
    return {
      handle(event) {
        const owners = ownersOf(event, ctx, index);
        if (owners.size === 0) {
          ctx.count("outside");
          if (p.outside === "drop") return drop("outside");
          const mark = new Event(p.outside === "mark" ? { "own network": "no" } : {});
          return expertOutput(event, mark, p) ?? drop("outside");
        }
        ctx.count("matched");
        // One event per customer: each customer's room gets only its own contact details.
        return [...owners.values()].flatMap((c) => expertOutput(event, factsOf(c), p) ?? []);
      },
      stop() {
        watcher.stop();
      },
    };
  },
});
