import type { FeedSpec } from "../types.js";
import { ABUSE_CH_TIME, constants } from "./common.js";

/**
 * The CSV edition of the Botnet C2 IP blocklist rather than the plain-text "recommended" one:
 * the same kind of entries, plus what a report needs (port, malware family, status, first
 * seen). `#` banner and footer lines, then a quoted header row.
 */
export const preset: FeedSpec = {
  name: "feodo-tracker",
  provider: "abuse.ch",
  url: "https://feodotracker.abuse.ch/downloads/ipblocklist.csv",
  licence: "CC0; abuse.ch terms of use",
  description: "Botnet C&C servers (Dridex, Emotet, QakBot, ...) tracked by Feodo Tracker",
  format: { type: "csv", comment: "#", columns: "header" },
  map: {
    fields: {
      first_seen_utc: { key: "source time", time: ABUSE_CH_TIME },
      dst_ip: "ip",
      dst_port: "port",
      c2_status: "c2_status",
      last_online: "last_online",
      malware: { key: "malware family", lower: true },
    },
    constants: constants("feodo-tracker", "abuse.ch", "c&c"),
  },
  // The blocklist is regenerated every 5 minutes.
  interval: "15m",
  type: "c&c",
};
