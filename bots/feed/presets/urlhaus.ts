import type { FeedSpec } from "../types.js";
import { ABUSE_CH_TIME, commaList, constants } from "./common.js";

/**
 * URLs added in the last 30 days (csv_recent). The header is a `#` comment, so the columns
 * are named here; `tags` is one quoted comma-separated field, "None" when empty. The URLhaus
 * id is not kept under `id` (the mesh's window-state key): `urlhaus_link` carries it.
 */
export const preset: FeedSpec = {
  name: "urlhaus",
  provider: "abuse.ch",
  url: "https://urlhaus.abuse.ch/downloads/csv_recent/",
  licence: "CC0; abuse.ch terms of use",
  description: "Malware distribution URLs submitted to URLhaus in the last 30 days",
  format: {
    type: "csv",
    comment: "#",
    columns: [
      "id",
      "dateadded",
      "url",
      "url_status",
      "last_online",
      "threat",
      "tags",
      "urlhaus_link",
      "reporter",
    ],
  },
  map: {
    fields: {
      dateadded: { key: "source time", time: ABUSE_CH_TIME },
      url: "url",
      url_status: "url_status",
      last_online: { key: "last_online", time: ABUSE_CH_TIME },
      threat: "threat",
      tags: commaList("tags"),
      urlhaus_link: "urlhaus_link",
      reporter: "reporter",
    },
    constants: constants("urlhaus", "abuse.ch", "malware url"),
  },
  // abuse.ch regenerates csv_recent every 5 minutes and allows fetching it that often.
  interval: "5m",
  type: "malware url",
};
