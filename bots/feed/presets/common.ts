/**
 * Helpers shared by the presets: the constant keys every preset sets, and a builder for the
 * many "one entry per line" lists.
 */
import type { FeedSpec, FieldRule, FormatSpec } from "../types.js";

/** abuse.ch CSV times: `2024-03-14 10:09:07`, UTC. */
export const ABUSE_CH_TIME = "YYYY-MM-DD HH:mm:ss";

/** abuse.ch writes "None" for an empty field: keep every other value. */
export const NOT_NONE = "^(?!None$).";

/** Spamhaus DROP JSON lines: `{"cidr":"…","sblid":"SBL…","rir":"ripencc"}`. */
export const DROP_FIELDS: Record<string, string | FieldRule> = {
  cidr: "netblock",
  sblid: "sblid",
  rir: { key: "registry", lower: true },
};

/** A comma-separated abuse.ch field (tags, aliases) as several values, without "None". */
export function commaList(key: string): FieldRule {
  return { key, split: ",", match: NOT_NONE };
}

/** The keys every preset adds: its own name as `feed`, the publisher as `feeder`, its `type`. */
export function constants(
  feed: string,
  feeder: string,
  type: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { feed, feeder, type, ...extra };
}

export interface ListPreset {
  name: string;
  provider: string;
  url: string;
  licence: string;
  description: string;
  type: string;
  interval: string;
  /** What each line holds (default "ip"). */
  kind?: Extract<FormatSpec, { type: "list" }>["kind"];
  /** More constant keys, e.g. `protocol` or a `description` of the list. */
  extra?: Record<string, string>;
}

/**
 * A plain list, one entry per line with `#` comments: the engine puts the entry under `ip`,
 * `netblock`, `domain name` or `url` by its kind, so no field rules are needed.
 */
export function listPreset(p: ListPreset): FeedSpec {
  return {
    name: p.name,
    provider: p.provider,
    url: p.url,
    licence: p.licence,
    description: p.description,
    format: { type: "list", kind: p.kind ?? "ip", comment: ["#"] },
    map: { fields: {}, constants: constants(p.name, p.provider, p.type, p.extra) },
    interval: p.interval,
    type: p.type,
  };
}
