import type { FeedSpec } from "../types.js";
import { constants } from "./common.js";

/**
 * blist.php: `IP\t\t# YYYY-MM-DD HH:MM:SS\t\tcount\tid`, after a `# IP ... # Last Reported`
 * header comment. The `#` inside a row is not a comment (the reader only takes `#` at the
 * start of a line); the empty columns are the doubled tabs.
 */
export const preset: FeedSpec = {
  name: "bruteforceblocker",
  provider: "danger.rulez.sk",
  url: "http://danger.rulez.sk/projects/bruteforceblocker/blist.php",
  licence: "free to use (danger.rulez.sk)",
  description: "SSH brute-force sources reported by BruteForceBlocker users",
  format: {
    type: "csv",
    delimiter: "\t",
    comment: "#",
    columns: ["ip", "tab1", "last_reported", "tab2", "count", "id"],
  },
  map: {
    fields: {
      ip: "ip",
      last_reported: { key: "source time", time: "# YYYY-MM-DD HH:mm:ss" },
      count: "count",
    },
    constants: constants("bruteforceblocker", "danger.rulez.sk", "brute-force", {
      protocol: "ssh",
    }),
  },
  interval: "1h",
  type: "brute-force",
};
