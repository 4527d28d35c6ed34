import type { FeedSpec } from "../types.js";
import { listPreset } from "./common.js";

// ci-badguys.txt: one IPv4 address per line, no comments.
export const preset: FeedSpec = listPreset({
  name: "cins-army",
  provider: "CINS Army",
  url: "https://cinsscore.com/list/ci-badguys.txt",
  licence: "free to use; no redistribution terms published (cinsscore.com)",
  description: "Addresses with a poor CINS score seen attacking Sentinel IPS sensors",
  type: "attack",
  interval: "1h",
});
