import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { couchService, couchUrlFile, startMeshCouch } from "./couch-config.js";
import { findCouchInstall } from "./couch-managed.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "couch-config-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A pino logger whose records land in `lines`. */
function capture(): { log: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const log = pino(
    { level: "info" },
    { write: (s: string) => lines.push(JSON.parse(s) as { level: number; msg: string }) },
  );
  return { log, lines };
}

describe("the mesh's CouchDB", () => {
  it("finds an install by the bin/couchdb in `path`, and not where there is none", async () => {
    expect(await findCouchInstall(join(dir, "nothing-here"))).toBeUndefined();
    expect(await findCouchInstall(undefined, { PATH: join(dir, "nothing-here") })).toBe(
      // /opt/couchdb, when this machine has it
      await findCouchInstall("/opt/couchdb"),
    );
  });

  it("falls back to the embedded server with one clear line when none is installed", async () => {
    const stateDir = join(dir, "state");
    const { log, lines } = capture();
    const missing = join(dir, "no-couchdb");
    const couch = await startMeshCouch(
      { stateDir, couchdb: { mode: "managed", path: missing } },
      log,
      {},
    );
    try {
      const warned = lines.filter((l) => l.level === 40);
      expect(warned).toHaveLength(1);
      expect(warned[0]?.msg).toBe(
        `couchdb: managed, but no Apache CouchDB installed at ${missing}; using the embedded server`,
      );
      const service = await couchService(stateDir, {});
      expect(service?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(service?.username).toBeUndefined();
      const res = await fetch(`${service?.url ?? ""}/`);
      expect(
        ((await res.json()) as { "express-pouchdb"?: string })["express-pouchdb"],
      ).toBeDefined();
    } finally {
      await couch?.stop();
    }
  }, 60_000);

  it("gives the bots the credentials of a URL file that holds them (the managed server's)", async () => {
    const stateDir = join(dir, "state2");
    await mkdir(join(stateDir, "couchdb"), { recursive: true });
    await writeFile(couchUrlFile(stateDir), "http://mesh:s%3Acret@127.0.0.1:5984\n");
    expect(await couchService(stateDir, {})).toEqual({
      url: "http://127.0.0.1:5984",
      username: "mesh",
      password: "s:cret",
    });
  });
});
