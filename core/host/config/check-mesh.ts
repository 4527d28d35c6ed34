/** Top-level settings of the mesh file; bots are checked in check-bots.ts. */
import path from "node:path";
import { checkCouchdb } from "./check-couchdb.js";
import { checkXmpp } from "./check-xmpp.js";
import { checkKeys, describeValue, readList, readString, roomNameTrouble } from "./fields.js";
import type { ProblemList } from "./problems.js";
import { isBareJid } from "./rooms.js";
import type { CouchConfig, RoomSettings, XmppConfig } from "./types.js";

export const TOP_LEVEL_KEYS = [
  "xmpp",
  "state",
  "lobby",
  "admins",
  "rooms",
  "default_form",
  "message_bytes",
  "bots",
  "couchdb",
] as const;

export interface MeshSettings {
  xmpp: XmppConfig | undefined;
  stateDir: string;
  lobby: string;
  admins: string[];
  /** Absolute path of the roomgraph file, when named. */
  roomsFile: string | undefined;
  defaultForm: RoomSettings["form"];
  /** Largest message the bots send (batches fill up to it; a bigger event is a dead letter). */
  messageBytes: number;
  bots: unknown[];
  /** Unset: embedded. */
  couchdb: CouchConfig | undefined;
}

export function checkMesh(
  file: string,
  raw: Record<string, unknown>,
  problems: ProblemList,
): MeshSettings {
  checkKeys(raw, TOP_LEVEL_KEYS, [], problems);
  const dir = path.dirname(file);
  const state = readString(raw, "state", [], problems, "a directory path");
  const rooms = readString(
    raw,
    "rooms",
    [],
    problems,
    "the roomgraph file path, e.g. ../rooms.yaml",
  );
  const lobby = readString(raw, "lobby", [], problems, "a room name") ?? "lobby";
  const lobbyTrouble = roomNameTrouble(lobby);
  if (lobbyTrouble !== undefined) problems.error(["lobby"], lobbyTrouble);
  const admins = readList(raw, "admins", [], problems, (jid) =>
    isBareJid(jid)
      ? undefined
      : `${JSON.stringify(jid)} is not a bare JID; write e.g. operator@example.org`,
  );
  return {
    xmpp: checkXmpp(raw["xmpp"], problems),
    // Beside the config folder by default, so config/ stays free of runtime files.
    stateDir: path.resolve(dir, state ?? path.join("..", "state", path.parse(file).name)),
    lobby,
    admins,
    roomsFile: rooms === undefined ? undefined : path.resolve(dir, rooms),
    defaultForm: readForm(raw["default_form"], ["default_form"], problems),
    messageBytes: readMessageBytes(raw["message_bytes"], problems),
    bots: readBots(raw["bots"], problems),
    couchdb: checkCouchdb(raw["couchdb"], dir, problems),
  };
}

/** Default 64 KiB: well under Prosody's 256 KiB stanza limit (and ejabberd's default). */
export const DEFAULT_MESSAGE_BYTES = 64 * 1024;

function readMessageBytes(raw: unknown, problems: ProblemList): number {
  if (raw === undefined || raw === null) return DEFAULT_MESSAGE_BYTES;
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 4096 && raw <= 1 << 20) return raw;
  problems.error(
    ["message_bytes"],
    `expected a whole number of bytes from 4096 to 1048576, under the XMPP server's stanza limit (Prosody: 262144), got ${describeValue(raw)}`,
  );
  return DEFAULT_MESSAGE_BYTES;
}

export function readForm(
  raw: unknown,
  at: (string | number)[],
  problems: ProblemList,
): RoomSettings["form"] {
  if (raw === undefined || raw === null || raw === "compact") return "compact";
  if (raw === "legacy") return "legacy";
  problems.error(
    at,
    `expected compact (batched, for machine rooms) or legacy (one event per message with a readable body), got ${describeValue(raw)}`,
  );
  return "compact";
}

function readBots(raw: unknown, problems: ProblemList): unknown[] {
  if (Array.isArray(raw)) {
    if (raw.length === 0)
      problems.warn(
        ["bots"],
        "no bots: the mesh would run nothing; add entries like - { id: drop, bot: spamhaus-drop, out: feeds.drop }",
      );
    return raw;
  }
  if (raw === undefined || raw === null) {
    problems.warn(["bots"], "no bots: the mesh would run nothing; add a bots: list");
  } else {
    problems.error(
      ["bots"],
      `expected a list of bot instances (- id: ...), got ${describeValue(raw)}`,
    );
  }
  return [];
}
