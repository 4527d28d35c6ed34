import type { FeedSpec } from "../types.js";
import { constants, DROP_FIELDS } from "./common.js";

/**
 * The JSON edition Spamhaus recommends since 2024 (the text drop.txt is still generated but
 * slated for deprecation). EDROP was merged into DROP on 10 April 2024, so this list also
 * covers what edrop.txt used to carry. One object per line; the last line is
 * `{"type":"metadata",...}` with no `cidr`, so it gives no event.
 */
export const preset: FeedSpec = {
  name: "spamhaus-drop",
  provider: "Spamhaus",
  url: "https://www.spamhaus.org/drop/drop_v4.json",
  licence: "free for any use; credit Spamhaus (DROP terms)",
  description: "Hijacked or criminal-leased IPv4 netblocks (DROP, EDROP included since 2024)",
  format: { type: "json", lines: true },
  map: {
    fields: DROP_FIELDS,
    constants: constants("spamhaus-drop", "Spamhaus", "hijacked netblock"),
  },
  // Spamhaus: automated downloads at least one hour apart.
  interval: "1h",
  type: "hijacked netblock",
};
