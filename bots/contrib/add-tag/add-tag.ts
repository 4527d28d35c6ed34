import { defineBot, param } from "../../../core/index.js";

/** A contrib example: adds one constant key to every event that passes through. */
export const addTag = defineBot({
  name: "add-tag",
  kind: "handler",
  description: "Adds a constant key/value (e.g. `source organisation = cert-a`) to every event.",
  params: {
    key: param.string({ help: "Key to add", default: "tag" }),
    value: param.string({ help: "Value to add" }),
  },
  start(ctx) {
    const tag = { [ctx.params.key]: ctx.params.value };
    return { handle: (event) => event.union(tag) };
  },
});
