// CouchDB servers for tests: the embedded one (express-pouchdb, always there) and a real Apache
// CouchDB from the tarball named by COUCHDB_TARBALL (../shared/couchdb, set by .ci/run), started
// with the couchdb-start.sh beside it (or COUCHDB_START) on a free loopback port.
//
// The integration project's global setup (test/setup/servers.ts) unpacks the tarball once and
// runs one real server that every suite shares (fresh database names per suite); suites that
// stop the server on purpose start their own from the same unpacked release. The unit project
// has no global setup: its suites unpack and start their own.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { startCouchServer, type CouchServer } from "../../core/host/storage/couch-server.js";
import {
  COUCHDB_TARBALL,
  startRealCouch,
  unpackCouch,
  type CouchKind,
  type TestCouch,
} from "./couchdb-real.js";

export { COUCHDB_TARBALL, type CouchKind, type TestCouch };
export const NO_REAL_COUCH = "real CouchDB: skipped, COUCHDB_TARBALL is not set (see .ci/run)";

/** The servers to run a suite against: embedded always, real when the tarball is known. */
export const COUCH_KINDS: readonly { kind: CouchKind; skip: boolean; name: string }[] = [
  { kind: "embedded", skip: false, name: "embedded" },
  {
    kind: "real",
    skip: COUCHDB_TARBALL === undefined,
    name: COUCHDB_TARBALL === undefined ? NO_REAL_COUCH : "real CouchDB 3.4.3",
  },
];

function fromEmbedded(server: CouchServer): TestCouch {
  return {
    kind: "embedded",
    get url() {
      return server.url;
    },
    get authUrl() {
      return server.url;
    },
    stop: () => server.stop(),
    start: () => server.start(),
  };
}

/** The shared real server of the integration run (test/setup/servers.ts), if there is one. */
function sharedReal():
  { url: string; username: string; password: string; release: string } | undefined {
  try {
    return inject("realCouch");
  } catch {
    return undefined; // not under the integration project's global setup
  }
}

/**
 * Hooks that provide a CouchDB of `kind` for the enclosing describe block. With `own`, the
 * suite gets a server of its own (it may stop it); otherwise the integration run's shared real
 * server is used when there is one. Database names must then be unique: use `dbName()`.
 */
export function withCouch(kind: CouchKind, opts: { own?: boolean } = {}): () => TestCouch {
  let couch: TestCouch | undefined;
  let cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), `couch-${kind}-`));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    if (kind === "embedded") {
      couch = fromEmbedded(await startCouchServer({ dir }));
      cleanup.unshift(() => couch!.stop());
      return;
    }
    const shared = sharedReal();
    if (shared && !opts.own) {
      const noop = () => Promise.resolve();
      couch = {
        kind,
        url: shared.url,
        username: shared.username,
        password: shared.password,
        authUrl: shared.url.replace("//", `//${shared.username}:${shared.password}@`),
        stop: noop,
        start: noop,
      };
      return;
    }
    let release = shared?.release;
    if (release === undefined) {
      const unpacked = await unpackCouch(COUCHDB_TARBALL ?? "");
      cleanup.push(unpacked.remove);
      release = unpacked.release;
    }
    couch = await startRealCouch(release, join(dir, "data"));
    cleanup.unshift(() => couch!.stop());
  }, 120_000);
  afterAll(async () => {
    for (const f of cleanup) await f();
    cleanup = [];
  }, 60_000);
  return () => {
    if (!couch) throw new Error(`withCouch(${kind}): used before beforeAll started it`);
    return couch;
  };
}

let seq = 0;
/** A database name no other suite of this run uses (the real server is shared). */
export function dbName(base: string): string {
  return `${base}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

/** Store options for `couch` (credentials only where the server has them). */
export function storeOpts(
  couch: TestCouch,
  db: string,
): { url: string; db: string; username?: string; password?: string } {
  const out: { url: string; db: string; username?: string; password?: string } = {
    url: couch.url,
    db,
  };
  if (couch.username !== undefined) out.username = couch.username;
  if (couch.password !== undefined) out.password = couch.password;
  return out;
}

declare module "vitest" {
  export interface ProvidedContext {
    realCouch: { url: string; username: string; password: string; release: string } | undefined;
  }
}

/**
 * The same suite on the embedded server and on a real CouchDB; without COUCHDB_TARBALL the real
 * variant is skipped, its name saying why.
 */
export function describeEachCouch(
  name: string,
  fn: (couch: () => TestCouch, kind: CouchKind) => void,
  opts: { own?: boolean } = {},
): void {
  for (const k of COUCH_KINDS) {
    describe.skipIf(k.skip)(`${name} [${k.name}]`, () => fn(withCouch(k.kind, opts), k.kind));
  }
}
