import type { FeedSpec } from "../types.js";
import { listPreset } from "./common.js";

// compromised-ips.txt: one IPv4 address per line; regenerated about once a day.
export const preset: FeedSpec = listPreset({
  name: "et-compromised",
  provider: "Emerging Threats",
  url: "https://rules.emergingthreats.net/blockrules/compromised-ips.txt",
  licence: "ET Open: free to use",
  description: "Hosts Emerging Threats has seen compromised and attacking",
  type: "compromised",
  interval: "6h",
});
