import { describe, expect, it } from "vitest";
import { defineBot } from "./bot.js";
import { Event } from "./event.js";
import { param, parseParams } from "./params.js";
import { testBot } from "../testing.js";

describe("params", () => {
  const specs = {
    rule: param.rule({ help: "Which events", default: "type = scanner" }),
    key: param.secret({ help: "Variable with the API key", default: "FEED_KEY" }),
    limit: param.optional(param.int({ help: "At most this many", default: 5 })),
  };

  it("parses rules at check time and names what is wrong", () => {
    const { values } = parseParams(specs, { rule: "asn = 64496 and ip in 192.0.2.0/24" });
    expect(values.rule.match(new Event({ asn: "64496", ip: "192.0.2.7" }))).toBe(true);
    expect(values.rule.match(new Event({ asn: "64497", ip: "192.0.2.7" }))).toBe(false);
    const bad = parseParams(specs, { rule: "asn = " });
    expect(bad.problems).toMatchObject([{ key: "rule" }]);
    expect(bad.problems[0]?.message.length).toBeGreaterThan(10);
    expect(parseParams(specs, {}).values.rule.match(new Event({ type: "scanner" }))).toBe(true);
  });

  it("takes an optional param as undefined when absent", () => {
    expect(parseParams(specs, {}).values.limit).toBeUndefined();
    expect(parseParams(specs, { limit: 3 }).values.limit).toBe(3);
  });

  it("wants a variable name for a secret, never the secret itself", () => {
    expect(parseParams(specs, { key: "sk_live 123" }).problems[0]?.message).toMatch(
      /name of an environment variable/,
    );
  });

  it("suggests the param meant by a misspelt one", () => {
    expect(parseParams(specs, { limt: 3 }).problems[0]?.message).toMatch(/did you mean limit\?/);
  });

  it("lets a bot read the secret its param names, and no other", async () => {
    const bot = defineBot({
      name: "keyed",
      kind: "handler",
      description: "Reads its API key (test).",
      params: { key: param.secret({ help: "Variable with the API key" }) },
      start: (ctx) => ({
        handle: (event) => event.union({ key: ctx.secret(ctx.params.key) ?? "-" }),
      }),
    });
    const b = await testBot(bot, { key: "FEED_KEY" }, { secrets: { FEED_KEY: "s3", OTHER: "x" } });
    expect(await b.handle({ ip: "192.0.2.1" })).toEqual([{ ip: ["192.0.2.1"], key: ["s3"] }]);
    expect(() => b.ctx.secret("OTHER")).toThrow(/not declared/);
  });
});
