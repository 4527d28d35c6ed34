import type { JoinOptions, JoinResult } from "./muc-types.js";

/** What the MUC layer keeps about one room it is in or wants to be in. */
export interface Room {
  room: string;
  baseNick: string;
  nick: string;
  opts: JoinOptions;
  state: "pending" | "joining" | "joined";
  everJoined: boolean;
  conflicts: number;
  joinId: string;
  timer: NodeJS.Timeout | undefined;
  waiters: { resolve: (r: JoinResult) => void; reject: (err: Error) => void }[];
  occupants: Map<string, string | undefined>;
  result: JoinResult | undefined;
  /** When we last knew we were in the room (ms): a live message or presence, or the drop. */
  lastSeen: number;
}

/** Clock skew and in-flight slack allowed for when asking for history `since` (ms). */
export const CATCH_UP_SLACK_MS = 5000;

/** A room we want to join, not joined yet. */
export function newRoom(room: string, nick: string, opts: JoinOptions): Room {
  return {
    room,
    baseNick: nick,
    nick,
    opts,
    state: "pending",
    everJoined: false,
    conflicts: 0,
    joinId: "",
    timer: undefined,
    waiters: [],
    occupants: new Map(),
    result: undefined,
    lastSeen: 0,
  };
}
