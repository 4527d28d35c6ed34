/**
 * ThreatFox IOC exports of the last 48 hours, one preset per IOC type with addresses, names
 * or URLs: `threatfox-ip-port`, `threatfox-domains`, `threatfox-urls` (the hash exports are
 * left out: the mesh's events are about networks). The header is a `#` comment and fields
 * are quoted and separated by `", "`; "None" marks an empty field.
 */
import type { FeedSpec, FieldRule } from "../types.js";
import { ABUSE_CH_TIME, commaList, NOT_NONE } from "./common.js";

const COLUMNS = [
  "first_seen_utc",
  "ioc_id",
  "ioc_value",
  "ioc_type",
  "threat_type",
  "fk_malware",
  "malware_alias",
  "malware_printable",
  "last_seen_utc",
  "confidence_level",
  "is_compromised",
  "reference",
  "tags",
  "anonymous",
  "reporter",
];

// ThreatFox threat types to the mesh's `type`; any other value is kept as ThreatFox spells it.
const THREAT_TYPES = { botnet_cc: "c&c", payload_delivery: "malware", payload: "malware" };

// An `ip:port` IOC (`192.0.2.1:443`; ThreatFox's ip:port IOCs are IPv4) into `ip` and `port`.
const IP_PORT: FieldRule = {
  match: "^(?<ip>\\d{1,3}(?:\\.\\d{1,3}){3}):(?<port>\\d{1,5})$",
  groups: { ip: "ip", port: "port" },
};

interface IocExport {
  name: string;
  path: string;
  what: string;
  value: string | FieldRule;
}

function threatFox(e: IocExport): FeedSpec {
  return {
    name: e.name,
    provider: "abuse.ch",
    url: `https://threatfox.abuse.ch/export/csv/${e.path}/recent/`,
    licence: "CC0; abuse.ch terms of use",
    description: `Malware ${e.what} shared on ThreatFox in the last 48 hours`,
    format: { type: "csv", comment: "#", columns: COLUMNS, trim: true },
    map: {
      fields: {
        first_seen_utc: { key: "source time", time: ABUSE_CH_TIME },
        ioc_id: "ioc_id",
        ioc_value: e.value,
        threat_type: { key: "type", values: THREAT_TYPES },
        malware_printable: { key: "malware family", lower: true, match: "^(?!unknown malware$)" },
        malware_alias: commaList("malware_alias"),
        last_seen_utc: { key: "last_seen_utc", time: ABUSE_CH_TIME },
        confidence_level: "confidence_level",
        is_compromised: { key: "is_compromised", lower: true },
        reference: { key: "reference", match: NOT_NONE },
        tags: commaList("tags"),
        reporter: "reporter",
      },
      // `type` comes from each row's threat_type.
      constants: { feed: e.name, feeder: "abuse.ch" },
    },
    // The exports are regenerated every few minutes and cover 48 hours.
    interval: "15m",
    type: "c&c or malware (by threat_type)",
  };
}

export const presets: readonly FeedSpec[] = [
  threatFox({
    name: "threatfox-ip-port",
    path: "ip-port",
    what: "C&C and payload addresses",
    value: IP_PORT,
  }),
  threatFox({
    name: "threatfox-domains",
    path: "domains",
    what: "C&C and payload domains",
    value: { key: "domain name", lower: true },
  }),
  threatFox({
    name: "threatfox-urls",
    path: "urls",
    what: "C&C and payload URLs",
    value: "url",
  }),
];
