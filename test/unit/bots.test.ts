// Checks every bot gets for free (IntelMQ style): a README beside it that documents each of its
// params, and a definition `startup.ts check` can rely on.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRegistry } from "../../core/host/config/registry.js";
import { projectRoot } from "../../core/host/runtime/paths.js";

const registry = await loadRegistry(projectRoot());

describe("every bot", () => {
  it("loads without problems", () => {
    expect(registry.problems ?? []).toEqual([]);
    expect(registry.size).toBeGreaterThan(10);
  });

  for (const [name, { def, file }] of registry) {
    describe(name, () => {
      const dir = dirname(resolve(projectRoot(), file));
      const readme = join(dir, "README.md");

      it("has a README naming each of its params", () => {
        expect(existsSync(readme)).toBe(true);
        // A README may hand over to the engine's README it links to (file-feed -> feed).
        let text = readFileSync(readme, "utf8");
        for (const m of text.matchAll(/\]\(([^)]*README\.md)\)/g)) {
          text += readFileSync(resolve(dir, m[1] ?? ""), "utf8");
        }
        const missing = Object.keys(def.params).filter((p) => !text.includes(`\`${p}\``));
        expect(missing).toEqual([]);
      });

      it("explains itself: a description and help for every param", () => {
        expect(def.description.length).toBeGreaterThan(20);
        for (const [key, spec] of Object.entries(def.params)) {
          expect(spec.help.length, `${name}: param ${key}`).toBeGreaterThan(5);
        }
      });

      it("passes its own check() with its defaults, or names what is required", () => {
        const required = Object.values(def.params).some((s) => s.required);
        if (required || def.check === undefined) return;
        const defaults = Object.fromEntries(
          Object.entries(def.params).map(([k, s]) => [k, s.default]),
        );
        expect(() => def.check?.(defaults as never)).not.toThrow();
      });
    });
  }
});
