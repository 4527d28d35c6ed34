/** The top-level `couchdb:` setting: which CouchDB the bots use when COUCHDB_URL is unset. */
import path from "node:path";
import { checkKeys, describeValue, readString } from "./fields.js";
import { isRecord, type ProblemList } from "./problems.js";
import type { CouchConfig } from "./types.js";

const MODES = ["embedded", "managed"] as const;
const HELP =
  "write `couchdb: managed`, `couchdb: embedded` or `couchdb: { mode: managed, path: /opt/couchdb }`";

/**
 * `embedded` (default): the CouchDB-compatible server in the mesh's own process tree.
 * `managed`: a locally installed Apache CouchDB started in the state directory; `path` is its
 * install dir (default /opt/couchdb, then `couchdb` on PATH), relative to the config file.
 */
export function checkCouchdb(
  raw: unknown,
  dir: string,
  problems: ProblemList,
): CouchConfig | undefined {
  if (raw === undefined || raw === null) return undefined; // the default: embedded
  if (typeof raw === "string") {
    if ((MODES as readonly string[]).includes(raw)) return { mode: raw as CouchConfig["mode"] };
    problems.error(["couchdb"], `unknown CouchDB mode ${JSON.stringify(raw)}; ${HELP}`);
    return { mode: "embedded" };
  }
  if (!isRecord(raw)) {
    problems.error(["couchdb"], `expected a mode or a mapping, got ${describeValue(raw)}; ${HELP}`);
    return { mode: "embedded" };
  }
  checkKeys(raw, ["mode", "path"], ["couchdb"], problems);
  const mode = readString(raw, "mode", ["couchdb"], problems, "embedded or managed");
  if (mode !== undefined && !(MODES as readonly string[]).includes(mode)) {
    problems.error(["couchdb", "mode"], `unknown CouchDB mode ${JSON.stringify(mode)}; ${HELP}`);
    return { mode: "embedded" };
  }
  const where = readString(raw, "path", ["couchdb"], problems, "the CouchDB install directory");
  if ((mode ?? "embedded") === "embedded") {
    if (where !== undefined) problems.error(["couchdb", "path"], "only with mode: managed");
    return { mode: "embedded" };
  }
  return where === undefined
    ? { mode: "managed" }
    : { mode: "managed", path: path.resolve(dir, where) };
}
