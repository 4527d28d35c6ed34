// Vitest global setup of the integration project: the real servers the tests run against must
// be installed. As root (CI, a fresh Debian machine) missing Debian packages are installed, so
// `npm test` works from a fresh clone; otherwise the error names the exact command.
//
// With COUCHDB_TARBALL set (.ci/run), one real Apache CouchDB is unpacked and started here for
// the whole run; suites reach it through test/harness/couchdb.ts (withCouch).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensurePackage } from "../../core/host/server/install.js";
import { COUCHDB_TARBALL, startRealCouch, unpackCouch } from "../harness/couchdb-real.js";

let teardowns: (() => Promise<void>)[] = [];

export async function setup(project: TestProject): Promise<void> {
  await ensurePackage("prosody", "prosody");
  await ensurePackage("ejabberd", "ejabberdctl");
  if (COUCHDB_TARBALL === undefined) {
    project.provide("realCouch", undefined);
    return;
  }
  const { release, remove } = await unpackCouch(COUCHDB_TARBALL);
  const data = await mkdtemp(join(tmpdir(), "couch-shared-"));
  const couch = await startRealCouch(release, data);
  teardowns = [() => couch.stop(), () => rm(data, { recursive: true, force: true }), remove];
  project.provide("realCouch", {
    url: couch.url,
    username: couch.username ?? "",
    password: couch.password ?? "",
    release,
  });
}

export async function teardown(): Promise<void> {
  for (const f of teardowns) await f();
  teardowns = [];
}
