import type { FeedSpec } from "../types.js";
import { constants, DROP_FIELDS } from "./common.js";

// JSON edition of DROPv6, same shape as drop_v4.json (including the trailing metadata line).
export const preset: FeedSpec = {
  name: "spamhaus-drop-v6",
  provider: "Spamhaus",
  url: "https://www.spamhaus.org/drop/drop_v6.json",
  licence: "free for any use; credit Spamhaus (DROP terms)",
  description: "Hijacked or criminal-leased IPv6 netblocks (DROPv6)",
  format: { type: "json", lines: true },
  map: {
    fields: DROP_FIELDS,
    constants: constants("spamhaus-drop-v6", "Spamhaus", "hijacked netblock"),
  },
  // Spamhaus: automated downloads at least one hour apart.
  interval: "1h",
  type: "hijacked netblock",
};
