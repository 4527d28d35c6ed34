import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeRegistry } from "./fixtures/fake-bots.js";
import { loadMeshConfig } from "./load.js";

const BOTS = `bots:
  - id: drop
    bot: fake-feed
    out: feeds.drop
    params: { url: "https://www.example.com/drop.txt" }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "check-couchdb-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(couchdb: string) {
  const file = path.join(dir, "mesh.yaml");
  await writeFile(file, `${couchdb}\n${BOTS}`);
  return { file, ...(await loadMeshConfig(file, { env: {}, registry: fakeRegistry() })) };
}

describe("couchdb:", () => {
  it("is the embedded server when unset", async () => {
    const { config, problems } = await load("");
    expect(problems).toEqual([]);
    expect(config?.couchdb).toBeUndefined();
  });

  it("takes `managed`, and a mapping with the install path relative to the config", async () => {
    expect((await load("couchdb: managed")).config?.couchdb).toEqual({ mode: "managed" });
    expect((await load("couchdb: embedded")).config?.couchdb).toEqual({ mode: "embedded" });
    const { config } = await load("couchdb: { mode: managed, path: /opt/couchdb }");
    expect(config?.couchdb).toEqual({ mode: "managed", path: "/opt/couchdb" });
    const rel = await load("couchdb: { mode: managed, path: ../couch }");
    expect(rel.config?.couchdb).toEqual({ mode: "managed", path: path.resolve(dir, "../couch") });
  });

  it("names the file and key of a bad value, and refuses to run", async () => {
    const bad = async (text: string) => {
      const { file, config, problems } = await load(text);
      expect(config).toBeUndefined();
      return problems.map((p) => [p.level, p.file === file, p.where, p.key, p.message]);
    };
    expect(await bad("couchdb: manged")).toEqual([
      [
        "error",
        true,
        "couchdb",
        undefined,
        expect.stringContaining('unknown CouchDB mode "manged"') as unknown,
      ],
    ]);
    const [mode] = await bad("couchdb: { mode: cluster }");
    expect(mode?.slice(2, 4)).toEqual(["couchdb", "mode"]);
    const [key] = await bad("couchdb: { mode: managed, pth: /opt/couchdb }");
    expect(key?.slice(2, 4)).toEqual(["couchdb", "pth"]);
    expect(key?.[4]).toContain("did you mean path?");
    const [path] = await bad("couchdb: { mode: embedded, path: /opt/couchdb }");
    expect(path?.slice(2, 5)).toEqual(["couchdb", "path", "only with mode: managed"]);
    const [list] = await bad("couchdb: [managed]");
    expect(list?.[4]).toContain("expected a mode or a mapping, got a list");
  });
});
