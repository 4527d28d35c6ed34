import { defineBot, param } from "../../../core/index.js";

/**
 * A contrib example of a gate: events that lack a required key are refused with an error, so
 * the runtime keeps them in the dead letters (`startup.ts dead-letters`) until the producer or
 * this bot's params are fixed and they are resent.
 */
export const requireKeys = defineBot({
  name: "require-keys",
  kind: "handler",
  description: "Passes events that carry every required key; the others go to the dead letters.",
  params: {
    keys: param.list({ help: "Keys every event must have", default: ["ip"] }),
  },
  check: (p) => (p.keys.length === 0 ? [{ key: "keys", message: "name at least one key" }] : []),
  start(ctx) {
    const keys = ctx.params.keys;
    return {
      handle(event) {
        const missing = keys.filter((k) => !event.contains(k));
        if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}`);
        return event;
      },
    };
  },
});
