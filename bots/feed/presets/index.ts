/**
 * The preset registry: every file here (except this one, common.ts and tests) exports either
 * `preset: FeedSpec` or `presets: readonly FeedSpec[]`, and is imported below by name. Add a
 * line when a preset file is added; the feed tests check each spec and that names are unique.
 */
import type { FeedSpec } from "../types.js";
import { presets as blocklistDe } from "./blocklist-de.js";
import { preset as bruteforceblocker } from "./bruteforceblocker.js";
import { preset as cinsArmy } from "./cins-army.js";
import { presets as dataplane } from "./dataplane.js";
import { preset as dshieldBlock } from "./dshield-block.js";
import { preset as etCompromised } from "./et-compromised.js";
import { preset as feodoTracker } from "./feodo-tracker.js";
import { preset as microsoftSnds } from "./microsoft-snds.js";
import { preset as openphish } from "./openphish.js";
import { preset as phishtank } from "./phishtank.js";
import { preset as spamhausDropV6 } from "./spamhaus-drop-v6.js";
import { preset as spamhausDrop } from "./spamhaus-drop.js";
import { presets as stopforumspam } from "./stopforumspam.js";
import { presets as threatfox } from "./threatfox.js";
import { preset as torExit } from "./tor-exit.js";
import { preset as urlhaus } from "./urlhaus.js";

/** Every spec, in file order; PRESETS indexes them by name. */
export const PRESET_LIST: readonly FeedSpec[] = [
  ...blocklistDe,
  bruteforceblocker,
  cinsArmy,
  ...dataplane,
  dshieldBlock,
  etCompromised,
  feodoTracker,
  microsoftSnds,
  openphish,
  phishtank,
  spamhausDropV6,
  spamhausDrop,
  ...stopforumspam,
  ...threatfox,
  torExit,
  urlhaus,
];

export const PRESETS: Record<string, FeedSpec> = Object.fromEntries(
  PRESET_LIST.map((spec) => [spec.name, spec]),
);
