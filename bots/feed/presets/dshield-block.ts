import type { FeedSpec } from "../types.js";
import { constants } from "./common.js";

/**
 * The DShield recommended block list: the top 20 attacking /24 networks of the last three
 * days. `#` comments around a tab-separated table with a header row (Start, End, Netblock
 * = prefix length, Attacks, Name, Country, email); the last three may be empty.
 *
 * Start and End become one `netblock` range (`first-last`, core/sdk/keys.ts); the prefix length
 * says nothing more, so it is not kept.
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
      range: { key: "netblock", template: "{Start}-{End}" },
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
