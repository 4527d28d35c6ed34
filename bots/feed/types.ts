/**
 * The declarative shape of a feed: where it comes from, how its body is read, and how its
 * records become events. Presets (bots/feed/presets/) are values of FeedSpec; a user's config
 * may override any part of one through the feed bot's params.
 */

/** How the body is split into records. */
export type FormatSpec =
  | {
      type: "csv";
      /** Field delimiter (default ","). */
      delimiter?: string;
      /** Lines starting with this are comments (e.g. "#", ";"). */
      comment?: string;
      /** "header": the first non-comment row names the columns; or the column names in order. */
      columns: "header" | string[];
      /** Accept stray quotes inside unquoted fields (csv-parse relax_quotes). */
      relaxQuotes?: boolean;
      /** Trim whitespace around fields. */
      trim?: boolean;
      /** Skip this many leading lines before anything else (banners). */
      skipLines?: number;
      /** Accept rows with more or fewer fields than columns (default: such a row is reported
       *  and skipped). */
      relaxColumnCount?: boolean;
    }
  | {
      type: "json";
      /** Dotted path to the array of records inside the document ("" or absent: the root). */
      path?: string;
      /** One JSON object per line instead of one document. */
      lines?: boolean;
    }
  | {
      type: "list";
      /** What each line holds; "auto" detects ip / cidr / range / domain / url per line. */
      kind?: "auto" | "ip" | "cidr" | "range" | "domain" | "url";
      /** Comment prefixes; trailing comments after these are stripped too (default ["#", ";"]). */
      comment?: string[];
      /** Separator between the entry and the rest of the line kept as `description` (e.g. ";");
       *  default: whitespace. A list record has the fields `entry` and `description`: unless
       *  `map.fields` names them, `entry` goes to `ip`, `netblock` (CIDR, range), `domain name`
       *  or `url` by the kind detected, and `description` to `description`. */
      rest?: string;
    }
  | { type: "rss" };

/** How one source field becomes event values. A plain string is `{ key: thatString }`. */
export interface FieldRule {
  /** Event key to write (harmonized name, core/sdk/keys.ts); left out when `groups` names them. */
  key?: string;
  /** Parse as a time into `YYYY-MM-DD HH:MM:SSZ`: "iso", "unix", "unix-ms", "rfc2822" (RSS
   *  pubDate), "auto" (any of these), or a pattern of YYYY MM M MMM DD D HH H mm ss SSS Z such as
   *  "YYYY-MM-DD HH:mm:ss" (taken as UTC unless the value carries an offset). */
  time?: string;
  /** Split the value on this separator into several values. */
  split?: string;
  /** Lower-case the value (domains, types). */
  lower?: boolean;
  /** Replace whole values: `{ "1": "malware" }`. */
  values?: Record<string, string>;
  /** Keep only values matching this regex (others are dropped, not errors). */
  match?: string;
  /** Instead of `key`: write named groups of `match` to keys of their own, `{ group: key }`,
   *  e.g. `match: '^(?<ip>.+):(?<port>\d+)$', groups: { ip: ip, port: port }` splits
   *  `192.0.2.1:443` into `ip` and `port`. A group that matched nothing gives no value. */
  groups?: Record<string, string>;
  /** Build the value from several fields of the record, e.g. "{Start}-{End}" or
   *  "{Start}/{Netblock}": `{name}` is that field's (first) value; when a named field is
   *  empty the rule gives no value. The field the rule is listed under need not exist. */
  template?: string;
}

export interface Mapping {
  /** Source field (CSV column, JSON key or dotted path, RSS element) → rule. Unmapped fields
   *  are kept under their own name in lower case only when `keepUnmapped` is true. */
  fields: Record<string, string | FieldRule>;
  /** Keys added to every event, e.g. `{ feed: "spamhaus drop", type: "hijacked netblock" }`. */
  constants?: Record<string, string | string[]>;
  keepUnmapped?: boolean;
}

export interface FeedSpec {
  /** Preset name, kebab-case (`spamhaus-drop`). */
  name: string;
  /** Who publishes it. */
  provider: string;
  /** Where it is fetched (http/https) — a user may override it. */
  url: string;
  /** Licence / terms note for the README row. */
  licence: string;
  /** One line: what the feed lists. */
  description: string;
  format: FormatSpec;
  map: Mapping;
  /** Default poll interval, e.g. "1h" (respect the provider's published limits). */
  interval: string;
  /** Credentials from the environment, never from the config file: a header, a query
   *  parameter, or (`url: true`) the `{secret}` placeholder of the URL (a key in the path). */
  auth?:
    | { header: string; env: string; scheme?: string }
    | { query: string; env: string }
    | { url: true; env: string };
  /** The `type` value the events get (also in `map.constants`); for the README row. */
  type: string;
  /** Body compression; default "auto": by magic bytes (gzip, zip, bz2), else plain. */
  compression?: "auto" | "none" | "gzip" | "zip" | "bz2";
  /** Zip archives: the member to read (default: the first file). */
  member?: string;
}
