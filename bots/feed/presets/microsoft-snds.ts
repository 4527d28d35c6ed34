import type { FeedSpec } from "../types.js";
import { constants } from "./common.js";

/**
 * Microsoft SNDS "IP status" (automated data access): the addresses of *your* registered
 * networks that Outlook.com blocks, as `first_ip,last_ip,blocked,details` lines (CRLF, no
 * header). The access key of the ipStatus link goes in SNDS_KEY. The two addresses become
 * one `netblock` range (`first-last`, core/sdk/keys.ts), also for a single address.
 */
export const preset: FeedSpec = {
  name: "microsoft-snds",
  provider: "Microsoft",
  url: "https://sendersupport.olc.protection.outlook.com/snds/ipStatus.aspx",
  licence: "data on your own networks; Microsoft SNDS terms",
  description: "Addresses of your networks that Outlook.com blocks for spam",
  format: { type: "csv", columns: ["first_ip", "last_ip", "blocked", "details"] },
  map: {
    fields: {
      range: { key: "netblock", template: "{first_ip}-{last_ip}" },
      blocked: { key: "blocked", lower: true },
      details: "description",
    },
    constants: constants("microsoft-snds", "Microsoft", "spam"),
  },
  auth: { query: "key", env: "SNDS_KEY" },
  // The block status changes slowly; SNDS publishes no polling limit.
  interval: "1h",
  type: "spam",
};
