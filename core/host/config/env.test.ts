import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { redactSecrets, substituteEnv } from "./env.js";
import { fakeRegistry } from "./fixtures/fake-bots.js";
import { loadMeshConfig } from "./load.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

describe("substituteEnv", () => {
  it("substitutes in every string, nested, and leaves other values alone", () => {
    const raw = { a: "${A}", list: ["x-${B}-y", 3, true], deep: { c: "${C:-fallback}" } };
    const { value, problems } = substituteEnv(raw, { A: "1", B: "two" });
    expect(problems).toEqual([]);
    expect(value).toEqual({ a: "1", list: ["x-two-y", 3, true], deep: { c: "fallback" } });
  });

  it("takes the default for an empty variable, and an empty default", () => {
    const { value } = substituteEnv(["${E:-d}", "${E}", "[${U:-}]"], { E: "" });
    expect(value).toEqual(["d", "", "[]"]);
  });

  it("keeps $${ as a literal ${", () => {
    expect(substituteEnv("cost $${X}", { X: "no" }).value).toBe("cost ${X}");
  });

  it("names the path and the variable of a missing one", () => {
    const { problems } = substituteEnv({ bots: [{ password: "${DROP_PASSWORD}" }] }, {});
    expect(problems).toEqual([
      {
        path: ["bots", 0, "password"],
        message: expect.stringContaining(
          "environment variable DROP_PASSWORD is not set",
        ) as unknown,
      },
    ]);
  });

  it("reports a malformed reference", () => {
    const { problems } = substituteEnv({ a: "${1BAD}", b: "${OPEN" }, {});
    expect(problems.map((p) => p.path)).toEqual([["a"], ["b"]]);
    expect(problems[0]?.message).toContain("malformed reference");
  });
});

describe("redactSecrets", () => {
  const subs = [
    { name: "TOKEN", value: 's3cr3t"tok' },
    { name: "PIN", value: "42" },
  ];

  it("replaces substituted values, raw and JSON-quoted, by their variable", () => {
    expect(redactSecrets(`got "s3cr3t\\"tok", also s3cr3t"tok`, subs)).toBe(
      'got "${TOKEN}", also ${TOKEN}',
    );
  });

  it("replaces short values only as whole tokens", () => {
    expect(redactSecrets("expected an integer, got 42 (line 420)", subs)).toBe(
      "expected an integer, got ${PIN} (line 420)",
    );
  });
});

describe("loadMeshConfig with ${VAR}", () => {
  const file = path.join(FIXTURES, "env", "mesh.yaml");

  it("reports a missing variable with file, instance and key", async () => {
    const { config, problems } = await loadMeshConfig(file, {
      env: {
        MESH_COMPONENT_SECRET: "component-secret-1",
        SPAM_FEED_URL: "https://www.example.com/spam",
      },
      registry: fakeRegistry(),
    });
    expect(config).toBeUndefined();
    expect(problems).toContainEqual(
      expect.objectContaining({
        level: "error",
        file,
        where: "bots[0] (id drop)",
        key: "params.url",
        message: expect.stringContaining("DROP_URL") as unknown,
      }),
    );
  });

  it("never shows a substituted secret in a message", async () => {
    const { problems } = await loadMeshConfig(file, {
      env: {
        MESH_COMPONENT_SECRET: "component-secret-1",
        DROP_URL: "https://www.example.com/drop",
        SPAM_FEED_URL: "tok-9f8e7d-not-a-url",
      },
      registry: fakeRegistry(),
    });
    expect(problems).toEqual([
      expect.objectContaining({
        where: "bots[1] (id spam)",
        key: "params.url",
        message: 'expected a URL, got "${SPAM_FEED_URL}"',
      }),
    ]);
    expect(JSON.stringify(problems)).not.toContain("tok-9f8e7d");
  });

  it("puts substituted values into the config", async () => {
    const { config } = await loadMeshConfig(file, {
      env: {
        MESH_COMPONENT_SECRET: "component-secret-1",
        DROP_URL: "https://www.example.com/drop",
        SPAM_FEED_URL: "https://www.example.com/spam",
      },
      registry: fakeRegistry(),
    });
    expect(config?.xmpp).toMatchObject({ mode: "component", secret: "component-secret-1" });
    expect(config?.instances[0]?.params["url"]).toBe("https://www.example.com/drop");
  });
});
