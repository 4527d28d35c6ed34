/**
 * The params the feed and file-feed bots share (preset, format, map, name, drop_older_than)
 * and how they combine with a preset: a param given wins over the preset's value.
 */
import { param, ParamError, parseDuration } from "../../core/index.js";
import { checkFormat, checkMapping } from "./check.js";
import { compileMapping, type Mapper } from "./mapping.js";
import { PRESETS } from "./presets/index.js";
import type { FeedSpec, FormatSpec, Mapping } from "./types.js";

function checkPreset(raw: unknown): string {
  const name = typeof raw === "string" ? raw : "";
  if (Object.hasOwn(PRESETS, name)) return name;
  const known = Object.keys(PRESETS).sort();
  const near = known.filter((k) => k.startsWith(name.split("-")[0] ?? name) && name !== "");
  throw new ParamError(
    `unknown preset ${JSON.stringify(raw)}${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}; known: ${known.join(", ") || "none"}`,
  );
}

export const sourceParams = {
  preset: param.any<string | null>({
    help: "Preset feed (bots/feed/README.md lists them); the params below override its parts",
    default: null,
    check: checkPreset,
  }),
  format: param.any<FormatSpec | null>({
    help: "How the body is read: { type: csv|json|list|rss, ... } (FormatSpec in bots/feed/types.ts); default: the preset's",
    default: null,
    check: checkFormat,
  }),
  map: param.any<Mapping | null>({
    help: "How records become events: { fields: { column: key or rule }, constants: {...}, keepUnmapped } ; default: the preset's",
    default: null,
    check: checkMapping,
  }),
  name: param.string({
    help: "The feed's name in logs and the `feed` key (unless map.constants gives one); default: the preset name, else the instance id",
    default: "",
  }),
  drop_older_than: param.duration({
    help: "Drop events whose `source time` is older than this (e.g. 7d); 0 keeps them all",
    default: 0,
  }),
};

export interface SourceParams {
  preset: string | null;
  format: FormatSpec | null;
  map: Mapping | null;
  name: string;
  drop_older_than: number;
}

export interface Source {
  name: string;
  format: FormatSpec;
  map: Mapping;
  preset: FeedSpec | undefined;
}

/**
 * The format and mapping in force. Without a preset, `format`, `map` and `location` (the url
 * or path param) are all needed: the error names the missing ones.
 */
export function resolveSource(
  bot: string,
  params: SourceParams,
  location: { name: string; given: boolean },
  fallbackName: string,
): Source {
  const preset = params.preset === null ? undefined : PRESETS[params.preset];
  const format = params.format ?? preset?.format;
  const map = params.map ?? preset?.map;
  const missing = [
    ...(location.given || preset ? [] : [location.name]),
    ...(format ? [] : ["format"]),
    ...(map ? [] : ["map"]),
  ];
  if (missing.length > 0 || !format || !map) {
    throw new ParamError(
      `${bot}: without a preset, ${location.name}, format and map are needed (missing: ${missing.join(", ")})`,
    );
  }
  return { name: params.name || preset?.name || fallbackName, format, map, preset };
}

/** The mapper for a source; `feedUrl` becomes the `feed url` key. */
export function sourceMapper(source: Source, feedUrl?: string): Mapper {
  return compileMapping(source.map, {
    feed: source.name,
    ...(feedUrl === undefined ? {} : { feedUrl }),
  });
}

/** Interval in ms: the param, else the preset's, else an hour. */
export function intervalOf(given: number | null, preset: FeedSpec | undefined): number {
  if (given !== null) return given;
  return preset ? parseDuration(preset.interval) : 3_600_000;
}
