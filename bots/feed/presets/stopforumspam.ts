/**
 * StopForumSpam: addresses reported for forum and blog spam, as zip archives holding one
 * address per line. The `_ipv46` editions carry IPv6 as well as IPv4. One preset per window:
 * `stopforumspam-1d` (rebuilt hourly), `-7d` and `-30d` (rebuilt daily). StopForumSpam limits
 * downloads per file and day, hence the intervals.
 */
import type { FeedSpec } from "../types.js";
import { listPreset } from "./common.js";

function stopForumSpam(days: number, interval: string): FeedSpec {
  const file = `listed_ip_${days}_ipv46`;
  return {
    ...listPreset({
      name: `stopforumspam-${days}d`,
      provider: "StopForumSpam",
      url: `https://www.stopforumspam.com/downloads/${file}.zip`,
      licence: "free; per-file daily download limits (stopforumspam.com/legal)",
      description: `Addresses reported for forum spam in the last ${days} day${days > 1 ? "s" : ""}`,
      type: "spam",
      interval,
    }),
    // The archive holds a single text file; the engine reads the first member.
    compression: "zip",
  };
}

export const presets: readonly FeedSpec[] = [
  stopForumSpam(1, "1h"),
  stopForumSpam(7, "1d"),
  stopForumSpam(30, "1d"),
];
