/**
 * What every expert shares (AbuseHelper: experts only add facts). An expert looks up facts for
 * some values of an event and returns them as an "augment": the keys it adds. How that goes
 * out is the user's choice:
 * - `enrich` (default): the original event with the added keys, one event out per event in;
 * - `augment`: AbuseHelper's combiner form, only the added keys plus `augment sha-1` = the
 *   original's id, so a combiner bot can merge augments from several experts.
 */
import { Event } from "./event.js";
import { param } from "./params.js";

export type ExpertMode = "enrich" | "augment";

/** Params every expert takes; spread them into a bot's params. */
export const expertParams = {
  mode: param.oneOf(["enrich", "augment"] as const, {
    help: "enrich: emit the event with the added keys; augment: emit only the added keys tagged with `augment sha-1` (AbuseHelper combiner)",
    default: "enrich",
  }),
  prefix: param.string({
    help: "Prefix for added keys, e.g. `source ` gives `source asn` (empty: none)",
    default: "",
  }),
};

/** Prefix every key of `added` (AbuseHelper's key prefix, e.g. "source "). */
export function prefixKeys(added: Event, prefix: string): Event {
  if (prefix === "") return added;
  const out = new Event();
  for (const [key, values] of added.entries()) out.update(prefix + key, values);
  return out;
}

/**
 * The event(s) to emit for `original` given the facts found (`added`, unprefixed). No facts:
 * enrich mode passes the original on unchanged (routing must not lose it); augment mode emits
 * nothing. Never invents data: only keys in `added` are written.
 */
export function expertOutput(
  original: Event,
  added: Event,
  opts: { mode: ExpertMode; prefix: string },
): Event | undefined {
  const facts = prefixKeys(added, opts.prefix);
  if (opts.mode === "augment") {
    if (facts.size === 0) return undefined;
    return facts.union({ "augment sha-1": original.id() });
  }
  return facts.size === 0 ? original : original.union(facts);
}
