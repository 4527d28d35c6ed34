import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseRule } from "../../sdk/rules/index.js";
import { fakeRegistry } from "./fixtures/fake-bots.js";
import { loadMeshConfig } from "./load.js";
import { DEFAULT_CATCH_UP_MS } from "./check-bots.js";
import type { BotRegistry, ConfigProblem, MeshConfig, Route } from "./types.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);
const env = { MESH_XMPP_PASSWORD: "pw-from-env" };

function located(problems: ConfigProblem[]): [string, string, string, string | undefined][] {
  return problems.map((p) => [p.level, path.relative(FIXTURES, p.file), p.where, p.key]);
}

describe("loadMeshConfig", () => {
  it("loads a valid config into the exact MeshConfig", async () => {
    const { config, problems } = await loadMeshConfig(fixture("valid", "mesh.yaml"), {
      env,
      registry: fakeRegistry(),
    });
    expect(problems).toEqual([]);
    const rule = "type = scanner and asn = 64496";
    const routes: Route[] = [
      { from: "feeds.drop", to: "raw", where: "rooms.yaml routes[0]" },
      {
        from: "enriched",
        to: "alerts",
        ruleText: rule,
        rule: parseRule(rule),
        where: "rooms.yaml routes[1]",
      },
    ];
    const expected: MeshConfig = {
      file: fixture("valid", "mesh.yaml"),
      xmpp: {
        mode: "client",
        service: "xmpps://xmpp.example.org:5223",
        domain: "example.org",
        muc: "conference.example.org",
        password: "pw-from-env",
        verifyTls: true,
      },
      stateDir: fixture("state", "valid"),
      lobby: "lobby",
      admins: ["operator@example.org"],
      roomgraph: {
        file: fixture("valid", "rooms.yaml"),
        rooms: { alerts: { form: "legacy" } },
        routes,
      },
      instances: [
        {
          id: "drop",
          bot: "fake-feed",
          params: { url: "https://www.example.com/drop.txt", every: 3_600_000 },
          in: [],
          out: ["feeds.drop"],
          catchUp: 0,
          invalid: "dead-letter",
          needs: [],
          enabled: true,
        },
        {
          id: "asn",
          bot: "fake-expert",
          params: { key: "ip" },
          in: ["raw"],
          out: ["enriched"],
          catchUp: DEFAULT_CATCH_UP_MS,
          invalid: "dead-letter",
          needs: [],
          enabled: true,
        },
        {
          id: "archive",
          bot: "fake-sink",
          params: {},
          in: ["enriched", "alerts"],
          out: [],
          catchUp: DEFAULT_CATCH_UP_MS,
          invalid: "dead-letter",
          needs: [],
          enabled: false,
        },
        {
          id: "roomgraph",
          bot: "roomgraph",
          params: {},
          in: ["feeds.drop", "enriched"],
          out: ["raw", "alerts"],
          catchUp: DEFAULT_CATCH_UP_MS,
          invalid: "dead-letter",
          needs: ["routes"],
          enabled: true,
        },
      ],
      defaultRoom: { form: "compact" },
      messageBytes: 65536,
    };
    expect(config).toEqual(expected);
  });

  it("reports every problem of both files at once, each with where and key", async () => {
    const { config, problems } = await loadMeshConfig(fixture("problems", "mesh.yaml"), {
      env,
      registry: fakeRegistry(),
    });
    expect(config).toBeUndefined();
    expect(located(problems)).toEqual([
      ["error", "problems/mesh.yaml", "top level", "colour"],
      ["error", "problems/mesh.yaml", "lobby", undefined],
      ["error", "problems/mesh.yaml", "xmpp", "service"],
      ["error", "problems/mesh.yaml", "bots[0] (id drop)", "in"],
      ["error", "problems/mesh.yaml", "bots[0] (id drop)", "params.colour"],
      ["error", "problems/mesh.yaml", "bots[0] (id drop)", "params.url"],
      ["error", "problems/mesh.yaml", "bots[1] (id drop)", "in"],
      ["error", "problems/mesh.yaml", "bots[1] (id drop)", "out"],
      ["error", "problems/mesh.yaml", "bots[1] (id drop)", "id"],
      ["error", "problems/mesh.yaml", "bots[2] (id x)", "bot"],
      ["error", "problems/mesh.yaml", "bots[3] (id archive)", "in"],
      ["error", "problems/rooms.yaml", "routes[0]", "rule"],
      ["warning", "problems/rooms.yaml", "routes[3]", undefined],
      ["warning", "problems/rooms.yaml", "routes[1]", "from"],
    ]);
    const byKey = (where: string, key?: string): ConfigProblem | undefined =>
      problems.find((p) => p.where === where && p.key === key);
    expect(byKey("top level", "colour")?.message).toContain("known keys are xmpp, state");
    expect(byKey("lobby")?.line).toBe(6);
    expect(byKey("bots[0] (id drop)", "params.url")).toMatchObject({
      line: 15,
      message: 'expected a URL, got "not a url"',
    });
    expect(byKey("bots[2] (id x)", "bot")?.message).toBe(
      "unknown bot fake-fed: did you mean fake-feed? known bots are fake-expert, fake-feed, fake-sink, roomgraph (bots/<name>/<name>.ts or bots/contrib/<name>/<name>.ts)",
    );
    expect(byKey("bots[1] (id drop)", "id")?.message).toContain("also bots[0]");
    expect(byKey("routes[0]", "rule")?.message).toMatch(/position \d+/);
  });

  it("rejects a route cycle and shows its path", async () => {
    const { config, problems } = await loadMeshConfig(fixture("cycle", "mesh.yaml"), {
      env,
      registry: fakeRegistry(),
    });
    expect(config).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ level: "error", where: "routes[2]" });
    expect(problems[0]?.message).toContain("raw → enriched → raw");
    expect(problems[0]?.message).toContain("routes[1], routes[2]");
  });

  it("fills the roomgraph instance from the routes", async () => {
    const { config } = await loadMeshConfig(fixture("valid", "mesh.yaml"), {
      env,
      registry: fakeRegistry(),
    });
    const roomgraph = config?.instances.find((i) => i.bot === "roomgraph");
    expect(roomgraph?.in).toEqual(["feeds.drop", "enriched"]);
    expect(roomgraph?.out).toEqual(["raw", "alerts"]);
    expect(roomgraph?.needs).toEqual(["routes"]);
  });

  it("applies the defaults of a minimal config", async () => {
    const { config, problems } = await loadMeshConfig(fixture("managed", "mesh.yaml"), {
      env: {},
      registry: fakeRegistry(),
    });
    expect(problems).toEqual([]);
    expect(config?.xmpp).toEqual({ mode: "managed", login: "client", mam: true });
    expect(config?.stateDir).toBe(fixture("state", "mesh"));
    expect(config?.lobby).toBe("lobby");
    expect(config?.roomgraph).toEqual({ file: "", rooms: {}, routes: [] });
  });

  it("warns when routes exist but no roomgraph instance applies them", async () => {
    const { config, problems } = await loadMeshConfig(fixture("unapplied", "mesh.yaml"), {
      env: {},
      registry: fakeRegistry(),
    });
    expect(config).toBeDefined();
    expect(located(problems)).toEqual([["warning", "unapplied/rooms.yaml", "routes", undefined]]);
    expect(problems[0]?.message).toContain("won't be applied");
  });

  it("names the file and line of a YAML syntax error", async () => {
    const { problems } = await loadMeshConfig(fixture("syntax", "mesh.yaml"), {
      env: {},
      registry: fakeRegistry(),
    });
    expect(problems).toEqual([
      expect.objectContaining({
        level: "error",
        where: "YAML syntax",
        line: 3,
        message: expect.stringContaining("unique") as unknown,
      }),
    ]);
  });

  it("says a bot is missing because its module failed to load", async () => {
    const registry: BotRegistry = Object.assign(fakeRegistry(), {
      problems: [
        {
          level: "error" as const,
          file: "bots/fake-broken/fake-broken.ts",
          where: "bot fake-broken",
          message: "failed to import: boom",
        },
      ],
    });
    registry.delete("fake-feed");
    const { problems } = await loadMeshConfig(fixture("managed", "mesh.yaml"), {
      env: {},
      registry,
    });
    expect(problems.map((p) => [p.level, p.message])).toEqual([
      ["error", expect.stringContaining("unknown bot fake-feed") as unknown],
      ["warning", "failed to import: boom"],
    ]);
  });

  it("reports a roomgraph file that is not there at the rooms key", async () => {
    const { problems } = await loadMeshConfig(fixture("no-rooms", "mesh.yaml"), {
      env: {},
      registry: fakeRegistry(),
    });
    expect(problems).toEqual([
      expect.objectContaining({
        where: "rooms",
        message: expect.stringContaining("no such file") as unknown,
      }),
    ]);
  });
});
