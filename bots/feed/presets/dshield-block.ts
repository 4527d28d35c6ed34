import type { FeedSpec } from "../types.js";
import { constants } from "./common.js";

/**
 * The DShield recommended block list: the top 20 attacking /24 networks of the last three
 * days. `#` comments around a tab-separated table with a header row (Start, End, Netblock
 * = prefix length, Attacks, Name, Country, email); the last three may be empty.
 *
 * The mapping language has no rule that joins two columns, so the range is kept as
 * `first ip` / `last ip` and the prefix length as `prefix length` rather than as one
 * `netblock` value (see the presets section of bots/feed/README.md).
 */
export const preset: FeedSpec = {
  name: "dshield-block",
  provider: "DShield",
  url: "https://feeds.dshield.org/block.txt",
  licence: "CC BY-NC-SA 2.5 (file header)",
  description: "Top 20 attacking /24 networks of the last three days",
  format: { type: "csv", delimiter: "\t", comment: "#", columns: "header", relaxQuotes: true },
  map: {
    fields: {
      Start: "first ip",
      End: "last ip",
      Netblock: "prefix length",
      Attacks: "attacks",
      Name: "network name",
      Country: { key: "cc", match: "^[A-Z]{2}$" },
      email: { key: "abuse email", lower: true },
    },
    constants: constants("dshield-block", "DShield", "scanner"),
  },
  interval: "1h",
  type: "scanner",
};
