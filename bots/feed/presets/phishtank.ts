import type { FeedSpec } from "../types.js";
import { constants } from "./common.js";

/**
 * Verified phishing URLs that are online, CSV edition (a header row; URLs with commas or
 * quotes are quoted, RFC 4180). PhishTank asks automated users to register an application
 * key, which goes in the path (`/data/<key>/online-valid.csv`, PhishTank developer info);
 * without one a host gets only a few downloads a day.
 */
export const preset: FeedSpec = {
  name: "phishtank",
  provider: "PhishTank",
  url: "https://data.phishtank.com/data/{secret}/online-valid.csv",
  licence: "free with a registered application key; PhishTank terms of use",
  description: "Community-verified phishing URLs that are online",
  format: { type: "csv", columns: "header" },
  map: {
    fields: {
      phish_id: "phish_id",
      url: "url",
      phish_detail_url: "phish_detail_url",
      submission_time: { key: "source time", time: "iso" },
      verification_time: { key: "verification_time", time: "iso" },
      target: "target",
    },
    constants: constants("phishtank", "PhishTank", "phishing"),
  },
  auth: { url: true, env: "PHISHTANK_APP_KEY" },
  // The files are regenerated hourly.
  interval: "1h",
  type: "phishing",
};
