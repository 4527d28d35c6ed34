import type { FeedSpec } from "../types.js";
import { listPreset } from "./common.js";

// The bulk exit list (one address per line, from TorDNSEL's exit tests) rather than
// exit-addresses: the latter is a multi-line record per relay (ExitNode, Published,
// LastStatus, ExitAddress) that no line-based format reads, and lists the same addresses.
export const preset: FeedSpec = listPreset({
  name: "tor-exit",
  provider: "The Tor Project",
  url: "https://check.torproject.org/torbulkexitlist",
  licence: "public data, free to use",
  description: "Addresses Tor exit relays were seen exiting from",
  type: "tor exit node",
  interval: "1h",
});
