import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findBot, loadRegistry } from "./registry.js";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "registry");
const bots = path.join(ROOT, "bots");

describe("loadRegistry", () => {
  it("finds bots in bots/ and bots/contrib/ by folder name", async () => {
    const registry = await loadRegistry(ROOT);
    expect([...registry.keys()]).toEqual(["good-bot", "extra"]);
    expect(findBot(registry, "good-bot")).toMatchObject({
      file: path.join(bots, "good-bot", "good-bot.ts"),
      def: { name: "good-bot", kind: "sink", description: "Drops every event." },
    });
    expect(findBot(registry, "extra")?.file).toBe(path.join(bots, "contrib", "extra", "extra.ts"));
    expect(findBot(registry, "nope")).toBeUndefined();
  });

  it("turns a broken, misnamed or duplicate bot into a problem naming its file", async () => {
    const { problems } = await loadRegistry(ROOT);
    expect(problems?.map((p) => [path.relative(bots, p.file), p.where])).toEqual([
      ["broken/broken.ts", "bot broken"],
      ["misnamed/misnamed.ts", "bot misnamed"],
      ["contrib/good-bot/good-bot.ts", "bot good-bot"],
    ]);
    expect(problems?.[0]?.message).toContain("failed to import: boom");
    expect(problems?.[1]?.message).toContain("found other-name");
    expect(problems?.[2]?.message).toContain("also defined in");
  });

  it("gives an empty registry for a tree without bots/", async () => {
    const registry = await loadRegistry(path.join(ROOT, "nothing-here"));
    expect(registry.size).toBe(0);
    expect(registry.problems).toEqual([]);
  });
});
