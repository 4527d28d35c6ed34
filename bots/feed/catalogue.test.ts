// The contract between the engine and the presets catalogue: every preset is a spec the feed
// bot accepts, and every preset's fixture (presets/fixtures/<name>.*) gives events.
import { createReadStream, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../core/index.js";
import { checkFormat, checkMapping } from "./check.js";
import { decompress } from "./decode.js";
import { readRecords } from "./formats/index.js";
import { compileMapping } from "./mapping.js";
import { PRESET_LIST, PRESETS } from "./presets/index.js";
import { decodeText } from "./text.js";

const FIXTURES = fileURLToPath(new URL("./presets/fixtures/", import.meta.url));
const fixtures = readdirSync(FIXTURES);

describe("preset catalogue", () => {
  it("has unique kebab-case names", () => {
    expect(Object.keys(PRESETS)).toHaveLength(PRESET_LIST.length);
    for (const spec of PRESET_LIST) expect(spec.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  describe.each(PRESET_LIST.map((spec) => [spec.name, spec] as const))("%s", (name, spec) => {
    it("passes the param checks and compiles", () => {
      expect(checkFormat(spec.format)).toBe(spec.format);
      expect(() => checkMapping(spec.map)).not.toThrow();
      expect(() => compileMapping(spec.map, { feed: name })).not.toThrow();
      expect(parseDuration(spec.interval)).toBeGreaterThanOrEqual(60_000);
      expect(new URL(spec.url).protocol).toMatch(/^https?:$/);
    });

    const fixture = fixtures.find((f) => f.replace(/\.[a-z0-9.]+$/, "") === name);
    it.runIf(fixture !== undefined)(`reads its fixture ${fixture ?? ""} into events`, async () => {
      const bad: string[] = [];
      const { body } = await decompress(createReadStream(FIXTURES + (fixture ?? "")));
      const mapper = compileMapping(spec.map, { feed: name });
      let events = 0;
      for await (const batch of readRecords(spec.format, decodeText(body), (line, msg) =>
        bad.push(`line ${line}: ${msg}`),
      )) {
        for (const record of batch) if (mapper(record)) events += 1;
      }
      expect(events).toBeGreaterThan(0);
      expect(bad.length).toBeLessThan(events);
    });
  });
});
