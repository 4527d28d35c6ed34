import { describe, expect, it } from "vitest";
import { testBot } from "../../../core/testing.js";
import { requireKeys } from "./require-keys.js";

describe("require-keys", () => {
  it("passes complete events and sets the others aside with what they lack", async () => {
    const bot = await testBot(requireKeys, { keys: ["ip", "type"] });
    expect(await bot.handle({ ip: "192.0.2.1", type: "scanner" })).toHaveLength(1);
    expect(await bot.handle({ ip: "192.0.2.2" })).toEqual([]);
    expect(bot.deadLetters()).toMatchObject([
      { stage: "handle", reason: "missing type", event: { ip: ["192.0.2.2"] } },
    ]);
  });

  it("needs at least one key", async () => {
    await expect(testBot(requireKeys, { keys: [] })).rejects.toThrow(/name at least one key/);
  });
});
