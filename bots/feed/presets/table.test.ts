import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { PRESETS } from "./index.js";
import { keysOf, presetsTable, README, REGENERATE, tableIn, withTable } from "./table.js";

// Column padding is prettier's business; the cells are what must match.
const cells = (table: string) =>
  table.split("\n").map((line) => line.replace(/ +\|/g, " |").replace(/-{3,}/g, "---"));

describe("presets table", () => {
  it("in bots/feed/README.md is the one generated from the registry", async () => {
    const readme = await readFile(README, "utf8");
    const table = tableIn(readme);
    expect(table, `no presets markers in ${README}: run ${REGENERATE}`).toBeDefined();
    expect(
      cells(table ?? ""),
      `the presets table of bots/feed/README.md is out of date: run ${REGENERATE}`,
    ).toEqual(cells(presetsTable()));
  });

  it("lists the keys from list kinds, field rules (groups, templates) and constants", () => {
    const key = (name: string) => keysOf(PRESETS[name] as NonNullable<(typeof PRESETS)[string]>);
    expect(key("openphish")).toEqual(["url", "feed", "feeder", "type"]);
    expect(key("threatfox-ip-port")).toEqual(expect.arrayContaining(["ip", "port", "type"]));
    expect(key("dshield-block")).toContain("netblock");
    expect(key("dshield-block")).not.toContain("first ip");
  });

  it("replaces only what is between the markers", () => {
    const doc = "intro\n<!-- presets:start -->\nold\n<!-- presets:end -->\nafter\n";
    expect(withTable(doc, "| a |")).toBe(
      "intro\n<!-- presets:start -->\n\n| a |\n\n<!-- presets:end -->\nafter\n",
    );
    expect(tableIn(withTable(doc, "| a |"))).toBe("| a |");
  });
});
