import type { FeedSpec } from "../types.js";
import { listPreset } from "./common.js";

// The free community feed: one URL per line, refreshed every few hours. A `#` inside a URL
// (fragment) is kept: the list reader only strips a comment that follows whitespace.
export const preset: FeedSpec = listPreset({
  name: "openphish",
  provider: "OpenPhish",
  url: "https://openphish.com/feed.txt",
  licence: "community feed, free; commercial feeds need a subscription",
  description: "Phishing URLs of the OpenPhish community feed",
  type: "phishing",
  interval: "1h",
  kind: "url",
});
