import { describe, expect, it } from "vitest";
import { testBot } from "../../../core/testing.js";
import { addTag } from "./add-tag.js";

describe("add-tag", () => {
  it("adds the configured key to every event, keeping the rest", async () => {
    const bot = await testBot(addTag, { key: "source organisation", value: "cert-a" });
    expect(await bot.handle({ ip: "192.0.2.1", type: ["scanner", "spam"] })).toEqual([
      { ip: ["192.0.2.1"], "source organisation": ["cert-a"], type: ["scanner", "spam"] },
    ]);
  });

  it("needs a value", async () => {
    await expect(testBot(addTag, {})).rejects.toThrow(/value: required/);
  });
});
